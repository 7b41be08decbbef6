/** 100 KB values carrying their SHA-1, written and read back: every acknowledged value reads back intact. */
import { createHash, randomBytes } from 'node:crypto';
import type { MaintClient } from '../../../src/index.js';
import { pause, type SoakContext } from '../context.js';
import type { Workload } from './workload.js';

const VALUE_BYTES = 100 * 1024;

export function values(ctx: SoakContext, client: MaintClient, loops: number): Workload {
  const loop = async (id: number) => {
    let n = 0;
    while (ctx.running) {
      const key = `soak:v:${id}:${n++ % 4}`;
      const payload = randomBytes(VALUE_BYTES * 0.75).toString('base64');
      const value = `${createHash('sha1').update(payload).digest('hex')}:${payload}`;
      try {
        await client.set(key, value);
        const read = await client.get(key);
        ctx.report.acknowledged.values++;
        if (read !== value) ctx.violation(`${key}: read back ${read === null ? 'null' : `${read.length} bytes that differ`} after an acknowledged SET`);
      } catch (error) {
        ctx.failed('SET/GET', error);
        await pause(10);
      }
    }
  };
  return { workers: Array.from({ length: loops }, (_, i) => () => loop(i)), check: async () => {} };
}
