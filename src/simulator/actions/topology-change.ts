/**
 * redis-py's `topology_change_standalone {bdb_id, cluster_index, effect, trigger}` (its newest
 * standalone suites) and the trigger listing `GET /topology-change-standalone?effect=E`, whose
 * requirements carry the `dbconfig` the suite then creates (`create_database`) and triggers on.
 * The effects, as the suites check them, on the simulator's actions:
 * - `data_movement_no_conn_drop`: an opening and a closing notification, the connection stays —
 *   `migrate` (MIGRATING, MIGRATED);
 * - `data_movement_conn_drop`: MIGRATING, MIGRATED, then MOVING — `migrate` then `bind`;
 * - `conn_drop`: the connections are dropped — `dmc_restart`;
 * - `dns_resolution_change`: the database's address leads elsewhere — `bind` (MOVING, the
 *   database endpoint follows).
 * One trigger per effect here (`migrate`, `bind` or `dmc_restart`, as named below; `default`
 * too). What the real service does for the last two is not in any client's code: a guess.
 */
import { ConfigError } from '../../errors.js';
import type { ActionDefinition, ActionPlan } from './index.js';
import { Params } from './params.js';

const EFFECTS = {
  data_movement_no_conn_drop: { trigger: 'migrate', description: 'the shard migrates: MIGRATING, then MIGRATED; connections stay', steps: ['migrate'] },
  data_movement_conn_drop: { trigger: 'migrate', description: 'the shard migrates, then its endpoint moves: MIGRATING, MIGRATED, MOVING', steps: ['migrate', 'bind'] },
  conn_drop: { trigger: 'dmc_restart', description: 'the proxy restarts: every connection is dropped, none told', steps: ['dmc_restart'] },
  dns_resolution_change: { trigger: 'bind', description: 'the endpoint moves: MOVING, and the database address follows', steps: ['bind'] },
} as const;

type Effect = keyof typeof EFFECTS;
const NAMES = Object.keys(EFFECTS) as Effect[];

/** `GET /topology-change-standalone?effect=E`: the trigger for the effect and the database it needs. */
export function topologyChangeListing(effect: string | null): Record<string, unknown> {
  const known = NAMES.includes(effect as Effect) ? EFFECTS[effect as Effect] : undefined;
  const triggers =
    known === undefined
      ? []
      : [
          {
            name: known.trigger,
            description: known.description,
            requirements: [
              {
                dbconfig: { name: `standalone-${effect!.replace(/_/g, '-')}-1`, oss_cluster: false, replication: true, sharding: false, shards_count: 1 },
                description: 'a standalone database (create_database)',
              },
            ],
          },
        ];
  return { action: 'topology_change_standalone', effect, cluster: {}, triggers };
}

export const topologyChangeAction: ActionDefinition = {
  parse(raw, env) {
    const params = new Params(raw, ['effect', 'trigger', 'source_node', 'target_node']);
    const effect = params.string('effect');
    if (effect === undefined || !NAMES.includes(effect as Effect)) throw new ConfigError('parameters.effect', effect, `one of ${NAMES.join(', ')}`);
    const { trigger, steps } = EFFECTS[effect as Effect];
    const given = params.string('trigger') ?? 'default';
    if (given !== trigger && given !== 'default') throw new ConfigError('parameters.trigger', given, `for effect ${effect}: ${trigger} (or default)`);
    const plans: ActionPlan[] = steps.map((step) => env.plan(step, {}));
    return async (ctx) => {
      const outputs: Array<Record<string, unknown>> = [];
      for (const [index, plan] of plans.entries()) {
        ctx.step('topology-change-step', { effect, type: steps[index] });
        outputs.push({ type: steps[index], ...(await plan(ctx)) });
      }
      return { effect, trigger, actions: outputs };
    };
  },
};
