import { pushKindOf, pushType, type PushKind } from '../protocol/push-kind.js';
import type { RespValue } from '../protocol/types.js';

export type PushConsumer<Source> = (source: Source, frame: RespValue[]) => void;

/**
 * The one place push frames are routed by kind (ARCHITECTURE: maintenance, pub/sub,
 * invalidation — each consumer in its own room). Consumers plug in with `use`; a kind nobody
 * consumes goes to the `unrouted` fallback (a debug line).
 */
export class PushRouter<Source> {
  private readonly consumers = new Map<PushKind, PushConsumer<Source>>();

  constructor(private readonly unrouted: (source: Source, type: string) => void) {}

  /** Routes pushes of `kind` to `consumer` (replacing any earlier one); returns a remover. */
  use(kind: PushKind, consumer: PushConsumer<Source>): () => void {
    this.consumers.set(kind, consumer);
    return () => {
      if (this.consumers.get(kind) === consumer) this.consumers.delete(kind);
    };
  }

  route(source: Source, frame: RespValue[]): void {
    const type = pushType(frame);
    const consumer = this.consumers.get(pushKindOf(type));
    if (consumer === undefined) this.unrouted(source, type);
    else consumer(source, frame);
  }
}
