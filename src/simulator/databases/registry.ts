/**
 * The databases behind one simulator's HTTP API: its own (bdb 1 by default) and those
 * `create_database` spawned, each with its bdb id, name and endpoints-file entry.
 * - `create_database {database_config}` validates up front (a 400 names the bad field, a taken
 *   name, or the cap), then spawns (database-config.ts, spawn.ts); its output is the new entry
 *   (`bdb_id`, `username`, `password`, `tls`, `raw_endpoints`, `endpoints`, `name`), and the
 *   endpoints file gains it.
 * - `delete_database {bdb_id}` stops the database's servers and the file loses it; an unknown id
 *   (or the simulator's own database) is a failed action, as the contract reports it.
 * - Any other action goes to the database its `bdb_id` (`bdbId` in a sequence, `-b` of rladmin)
 *   names; ids no created database has go to the simulator's own, as before. An id of a deleted
 *   database is refused. `rladmin status` lists every database in DATABASES while there are several.
 */
import { ConfigError } from '../../errors.js';
import { ActionRunner, type ActionEvent } from '../action-runner.js';
import { writeEndpointsJson } from '../endpoints-file.js';
import { parseDatabaseConfig, type DatabaseSpec } from './database-config.js';
import { DEFAULT_MAX_DATABASES, type SimulatorDatabasesOptions } from './options.js';
import { spawnDatabase, type DatabaseTarget, type Inherited, type SpawnedDatabase } from './spawn.js';

type RegistryAction = 'create_database' | 'delete_database' | 'execute_rladmin_command';

interface Database extends SpawnedDatabase {
  bdbId: number;
  name: string;
  kind: DatabaseSpec['kind'];
}

/** Deleted databases whose actions can still be polled. */
const KEEP_DELETED = 8;

export interface RegistryOptions {
  main: SpawnedDatabase & { kind: DatabaseSpec['kind'] };
  options: SimulatorDatabasesOptions | undefined;
  inherited: Inherited;
  emit(event: ActionEvent<RegistryAction>): void;
}

export class DatabaseRegistry {
  private readonly main: Database;
  private readonly created = new Map<number, Database>();
  private readonly deleted: DatabaseTarget[] = [];
  private readonly deletedIds = new Set<number>();
  /** Names and ids taken by creations still spawning. */
  private readonly pending = new Map<number, string>();
  private readonly runner: ActionRunner<void, RegistryAction>;
  private readonly max: number;
  private nextId: number;
  private closed = false;

  constructor(private readonly setup: RegistryOptions) {
    const { options } = setup;
    const bdbId = options?.bdbId ?? 1;
    this.main = { ...setup.main, bdbId, name: options?.name ?? (setup.main.kind === 'cluster' ? 'cluster' : 'standalone') };
    this.max = options?.max ?? DEFAULT_MAX_DATABASES;
    this.nextId = bdbId + 1;
    this.runner = new ActionRunner<void, RegistryAction>(() => undefined, (event) => setup.emit(event));
  }

  /** Starts an action addressed to one of the databases; throws a ConfigError on an invalid request. */
  start(type: unknown, parameters: unknown): string {
    if (this.closed) throw new Error('the simulator is closed');
    if (type === 'create_database') return this.startCreate(parameters);
    if (type === 'delete_database') return this.startDelete(parameters);
    const database = this.addressed(parameters);
    const request = database === this.main || type !== 'execute_rladmin_command' ? parameters : { database_name: database.name, ...(parameters as object) };
    if (type === 'execute_rladmin_command' && this.created.size > 0 && /^\s*(rladmin\s+)?(-b\s+\d+\s+)?status\b/i.test(String((parameters as Record<string, unknown>)['rladmin_command'] ?? ''))) {
      return this.runner.start({ type, parameters: request as Record<string, unknown> }, async () => {
        const result = await database.target.run({ type, parameters: request });
        return { ...result.output, output: this.withOtherDatabases(String(result.output['output']), database) };
      }).actionId;
    }
    return database.target.start({ type, parameters: request });
  }

  /** An action of any database (the registry's own, created ones, recently deleted ones), or undefined. */
  action(actionId: string): ReturnType<DatabaseTarget['action']> {
    return this.runner.status(actionId) ?? [...this.created.values()].map((db) => db.target.action(actionId)).find((status) => status !== undefined) ?? this.deleted.map((target) => target.action(actionId)).find((status) => status !== undefined);
  }

  /** Whether `bdbId` names a created database (the cluster routes forward go-redis's query actions by it). */
  has(bdbId: unknown): boolean {
    return this.created.has(idOf(bdbId) ?? 0);
  }

  /** The endpoints file's content: the simulator's database, then the created ones. */
  entries(): Record<string, unknown> {
    const all = [this.main, ...this.created.values()];
    return Object.fromEntries(all.map((db) => [db.name, db.entry(db.bdbId, db.name)]));
  }

  /** Stops every created database (waiting for creations under way). */
  async close(): Promise<void> {
    this.closed = true;
    await this.runner.settle();
    await Promise.all([...this.created.values()].map((db) => db.target.close()));
    this.created.clear();
  }

  private startCreate(parameters: unknown): string {
    const spec = parseDatabaseConfig(parameters);
    const taken = [this.main.name, ...[...this.created.values()].map((db) => db.name), ...this.pending.values()];
    if (taken.includes(spec.name)) throw new ConfigError('parameters.database_config.name', spec.name, 'a name no database has (delete_database the other one first)');
    if (this.created.size + this.pending.size >= this.max) throw new ConfigError('create_database', spec.name, `at most ${this.max} created databases at once (databases.max / --max-databases); delete one first`);
    const bdbId = this.nextId++;
    this.pending.set(bdbId, spec.name);
    return this.runner.start({ type: 'create_database', parameters: parameters as Record<string, unknown> }, async () => {
      try {
        const spawned = await spawnDatabase(spec, this.setup.inherited);
        if (this.closed) {
          await spawned.target.close();
          throw new Error('the simulator is closed');
        }
        this.created.set(bdbId, { ...spawned, bdbId, name: spec.name, kind: spec.kind });
      } finally {
        this.pending.delete(bdbId);
      }
      await this.writeFile();
      return { ...(this.created.get(bdbId) as Database).entry(bdbId, spec.name), name: spec.name };
    }).actionId;
  }

  private startDelete(parameters: unknown): string {
    const bdbId = idOf((parameters as Record<string, unknown> | null)?.['bdb_id']);
    if (bdbId === undefined) throw new ConfigError('parameters.bdb_id', (parameters as Record<string, unknown> | null)?.['bdb_id'], 'required: a database id');
    return this.runner.start({ type: 'delete_database', parameters: parameters as Record<string, unknown> }, async () => {
      const database = this.created.get(bdbId);
      if (bdbId === this.main.bdbId) throw new Error(`database ${bdbId} is the simulator's own; only created databases can be deleted`);
      if (database === undefined) throw new Error(`no database ${bdbId}; the databases are ${[this.main, ...this.created.values()].map((db) => `${db.bdbId} (${db.name})`).join(', ')}`);
      this.created.delete(bdbId);
      this.deletedIds.add(bdbId);
      this.deleted.push(database.target);
      if (this.deleted.length > KEEP_DELETED) this.deleted.shift();
      await database.target.close();
      await this.writeFile();
      return { bdb_id: bdbId, name: database.name, deleted: true };
    }).actionId;
  }

  /** The database a request names by `bdb_id` (or a sequence's `bdbId`, or its first step's `bdb_id`). */
  private addressed(parameters: unknown): Database {
    const raw = typeof parameters === 'object' && parameters !== null ? (parameters as Record<string, unknown>) : {};
    const steps = Array.isArray(raw['actions']) ? (raw['actions'] as Array<Record<string, unknown> | null>) : [];
    const first = steps[0]?.['params'] ?? steps[0]?.['parameters'];
    const given = raw['bdb_id'] ?? raw['bdbId'] ?? (typeof first === 'object' && first !== null ? (first as Record<string, unknown>)['bdb_id'] : undefined);
    const bdbId = idOf(given);
    if (bdbId !== undefined && this.deletedIds.has(bdbId) && !this.created.has(bdbId)) {
      throw new ConfigError('parameters.bdb_id', given, `a database that exists (${bdbId} was deleted)`);
    }
    return (bdbId === undefined ? undefined : this.created.get(bdbId)) ?? this.main;
  }

  /** `rladmin status` of one database, with a DATABASES row for each other one (redis-py finds ids by name there). */
  private withOtherDatabases(status: string, shown: Database): string {
    const lines = status.split('\n');
    const start = lines.indexOf('DATABASES:');
    if (start < 0) return status;
    let end = start + 1;
    while (end < lines.length && lines[end] !== '') end++;
    const others = [this.main, ...this.created.values()].filter((db) => db !== shown);
    const rows = others.map((db) => {
      const address = String((db.entry(db.bdbId, db.name)['endpoints'] as string[])[0]).replace(/^rediss?:\/\//, '');
      return `db:${db.bdbId} ${db.name} redis active ${db.kind === 'cluster' ? 'cluster' : '1'} - - disabled ${address}`;
    });
    return [...lines.slice(0, end), ...rows, ...lines.slice(end)].join('\n');
  }

  private async writeFile(): Promise<void> {
    const path = this.setup.options?.endpointsConfig;
    if (path !== undefined) await writeEndpointsJson(path, this.entries());
  }
}

function idOf(value: unknown): number | undefined {
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : undefined;
}
