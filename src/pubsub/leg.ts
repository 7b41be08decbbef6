import { ConnectionError, RedisReplyError } from '../errors.js';
import { PushRouter } from '../pool/push-router.js';
import type { SocketOwner } from '../pool/opener.js';
import { encodeCommand } from '../protocol/encoder.js';
import { formatEndpoint, type Endpoint } from '../protocol/endpoint.js';
import { pushType } from '../protocol/push-kind.js';
import type { RespValue } from '../protocol/types.js';
import type { Clock } from '../transport/clock.js';
import { PendingCommand } from '../transport/command.js';
import type { Pipeline } from '../transport/pipeline.js';
import { text } from './registry.js';
import { CONFIRMATIONS, SUBSCRIBE_COMMAND, type SubscriptionKind } from './types.js';

const PING = encodeCommand(['PING']) as string;
const ASKING = encodeCommand(['ASKING']) as string;
const ignore = (): void => {};
/** Every hitless client's fence channels start so. */
export const FENCE_PREFIX = '__hitless:fence:';

/** What happens to a leg's messages: handed to listeners, held (new socket of a move), or dropped (old socket past the fence). */
export type LegMode = 'deliver' | 'buffer' | 'drop';

export interface LegHost {
  readonly clock: Clock;
  /** Deadline for the leg's own commands (they are few; generous so a failover's hold does not fail them). */
  readonly commandTimeoutMs: number;
  /** The session's private fence channel: its messages are markers, never delivered. */
  readonly fenceChannel: string;
  deliver(type: 'message' | 'pmessage' | 'smessage', frame: RespValue[]): void;
  buffersWanted(): boolean;
  onMarker(leg: SubscriberLeg, token: string): void;
  onMaintenance(leg: SubscriberLeg, frame: RespValue[]): void;
  onLost(leg: SubscriberLeg, reason: string): void;
  /** Shard channels split into groups that may share one SSUBSCRIBE (one slot each on a cluster). */
  shardGroups(names: readonly string[]): string[][];
  /** SSUBSCRIBE this shard channel after an ASKING (its slot is being imported by the socket's node). */
  shardAsking(name: string): boolean;
  /** The server confirmed an unsubscribe on `leg` (asked for, or unsolicited: a cluster slot that left the node). */
  onUnsubscribed(leg: SubscriberLeg, kind: SubscriptionKind, name: string): void;
}

/**
 * One subscriber socket. It counts the server's confirmations itself (node-redis #3407: per
 * socket, never shared with another socket's), and writes each (un)subscribe followed by a PING
 * in the same reply slot: RESP3 confirmations are pushes, so the PONG says every confirmation of
 * that command has arrived.
 */
export class SubscriberLeg implements SocketOwner {
  pipeline: Pipeline | null = null;
  mode: LegMode;
  /** Messages held while `mode` is 'buffer', in arrival order. */
  buffered: Array<{ type: 'message' | 'pmessage' | 'smessage'; frame: RespValue[] }> = [];
  /** What the server confirmed on this socket. */
  readonly confirmed: Record<SubscriptionKind, Set<string>> = { channel: new Set(), pattern: new Set(), shard: new Set() };
  lost = false;
  /** The registry version this socket's subscriptions were last brought in line with. */
  syncedVersion = -1;
  private readonly pushes = new PushRouter<SubscriberLeg>(() => {}); // invalidations and unknown pushes: not for a subscriber

  constructor(
    readonly id: string,
    readonly endpoint: Endpoint,
    private readonly host: LegHost,
    mode: LegMode,
  ) {
    this.mode = mode;
    this.pushes.use('pubsub', (_, frame) => this.onPubSub(frame));
    this.pushes.use('maintenance', (leg, frame) => host.onMaintenance(leg, frame.map(asText)));
  }

  /** Messages decoded as Buffers only while some listener wants them so (strings are cheaper). */
  pushBuffers(): boolean {
    return this.host.buffersWanted();
  }

  get endpointText(): string {
    return formatEndpoint(this.endpoint);
  }

  get writable(): boolean {
    return this.pipeline !== null && this.pipeline.writable && !this.lost;
  }

  onPush(frame: RespValue[]): void {
    this.pushes.route(this, frame);
  }

  onLost(pipeline: Pipeline, reason: string): void {
    if (pipeline !== this.pipeline || this.lost) return;
    this.lost = true;
    this.host.onLost(this, reason);
  }

  /** (Un)subscribes `names`; resolves once the server confirmed them on this socket. */
  async change(kind: SubscriptionKind, subscribe: boolean, names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const command = SUBSCRIBE_COMMAND[kind][subscribe ? 'subscribe' : 'unsubscribe'];
    if (kind === 'shard') {
      // One slot per SSUBSCRIBE/SUNSUBSCRIBE (node-redis #3098: several slots in one command is CROSSSLOT on a cluster).
      const groups = this.host.shardGroups(names);
      if (groups.length > 1) {
        await Promise.all(groups.map((group) => this.change(kind, subscribe, group)));
        return;
      }
    }
    // ASKING first: an SSUBSCRIBE on a cluster node that is importing the slot (subscribed before the slot moves).
    const asking = kind === 'shard' && subscribe && this.host.shardAsking(names[0] as string);
    const reply = await this.send(command, (encodeCommand([command, ...names]) as string) + PING, asking);
    if (reply !== 'PONG') throw new ConnectionError('ERR_HANDSHAKE', `${command} on ${this.endpointText} was answered with ${JSON.stringify(reply)} (a RESP2 connection cannot carry subscriptions)`);
    const set = this.confirmed[kind];
    const missing = names.filter((name) => set.has(name) !== subscribe);
    if (missing.length > 0) throw new ConnectionError('ERR_CONNECTION_LOST', `${command} on ${this.endpointText}: ${missing.length} confirmation(s) missing`, { retryable: true });
  }

  /** Resolves whatever happens: a PING without reply in time fails, and the pipeline then drops the dead socket. */
  ping(): Promise<void> {
    return this.send('PING', PING).then(
      () => undefined,
      () => undefined,
    );
  }

  publish(channel: string, message: string): Promise<RespValue> {
    return this.send('PUBLISH', encodeCommand(['PUBLISH', channel, message]));
  }

  /** Closes the socket (the server drops its subscriptions with it). */
  close(): void {
    this.lost = true;
    const pipeline = this.pipeline;
    this.pipeline = null;
    void pipeline?.end(0);
  }

  private send(name: string, encoded: string | Buffer, asking = false): Promise<RespValue> {
    const pipeline = this.pipeline;
    if (pipeline === null || !this.writable) return Promise.reject(new ConnectionError('ERR_CONNECTION_LOST', `The subscriber socket to ${this.endpointText} is gone; ${name} was not sent`, { retryable: true }));
    // Written in the same tick, so nothing comes between ASKING and the command it is for.
    if (asking) pipeline.write(new PendingCommand('ASKING', ASKING, this.host.clock.now(), this.host.commandTimeoutMs, 0, ignore, ignore));
    return new Promise<RespValue>((resolve, reject) => {
      pipeline.write(new PendingCommand(name, encoded, this.host.clock.now(), this.host.commandTimeoutMs, 0, resolve, (error) => {
        // A refused (S)SUBSCRIBE (NOPERM, MOVED) answers in the slot the PING was for; the PONG follows and belongs to nobody.
        if (error instanceof RedisReplyError && name !== 'PING' && name !== 'PUBLISH') pipeline.skipNextReply(name, this.host.commandTimeoutMs);
        reject(error);
      }));
    });
  }

  private onPubSub(frame: RespValue[]): void {
    const type = pushType(frame);
    if (type === 'message' || type === 'pmessage' || type === 'smessage') {
      const channel = text(frame[type === 'pmessage' ? 2 : 1]);
      if (channel.startsWith(FENCE_PREFIX)) {
        // The marker counts once, on its own channel; no listener sees any client's fence channel (`PSUBSCRIBE *`).
        if (type === 'message' && channel === this.host.fenceChannel) this.host.onMarker(this, text(frame[2]));
        return;
      }
      if (this.mode === 'deliver') this.host.deliver(type, frame);
      else if (this.mode === 'buffer') this.buffered.push({ type, frame });
      return;
    }
    const confirmation = CONFIRMATIONS[type];
    if (confirmation === undefined) return;
    const name = text(frame[1]);
    if (confirmation.added) this.confirmed[confirmation.kind].add(name);
    else if (this.confirmed[confirmation.kind].delete(name)) this.host.onUnsubscribed(this, confirmation.kind, name);
  }
}

function asText(value: RespValue): RespValue {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return value.map(asText);
  return value;
}
