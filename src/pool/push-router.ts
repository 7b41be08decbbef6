import { pushKindOf, pushType, type PushKind } from '../protocol/push-kind.js';
import type { RespValue } from '../protocol/types.js';

export type PushConsumer<Source> = (source: Source, frame: RespValue[]) => void;

/**
 * The one place push frames are routed by kind (ARCHITECTURE: maintenance, pub/sub,
 * invalidation — each consumer in its own room). Consumers plug in with `use`; a kind nobody
 * consumes goes to the `unrouted` fallback (a debug line).
 */
export class PushRouter<Source> {
  /** A plain record, not a Map: at most four kinds, and one of these per pool and per subscriber leg. */
  private readonly consumers: Partial<Record<PushKind, PushConsumer<Source> | undefined>> = {};

  constructor(private readonly unrouted: (source: Source, type: string) => void) {}

  /** Routes pushes of `kind` to `consumer` (replacing any earlier one); returns a remover. */
  use(kind: PushKind, consumer: PushConsumer<Source>): () => void {
    this.consumers[kind] = consumer;
    return () => {
      if (this.consumers[kind] === consumer) this.consumers[kind] = undefined;
    };
  }

  route(source: Source, frame: RespValue[]): void {
    const type = pushType(frame);
    const consumer = this.consumers[pushKindOf(type)];
    if (consumer === undefined) this.unrouted(source, type);
    else consumer(source, frame);
  }
}
