import { ConfigError } from './errors.js';

/**
 * Refuses every key of `options` that is not in `known`, naming the closest known one, so that a
 * misspelt option (`comandTimeout`) fails at construction instead of silently meaning the default.
 */
export function refuseUnknownOptions(options: Record<string, unknown>, known: ReadonlySet<string>, prefix = ''): void {
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    const closest = closestName(key, known);
    const hint = closest === undefined ? `known: ${[...known].join(', ')}` : `did you mean ${prefix}${closest}?`;
    throw new ConfigError(`${prefix}${key}`, options[key] === undefined ? undefined : '…', `an unknown option; ${hint}`);
  }
}

/** The known name nearest to `name` (case-insensitive edit distance), when it is near enough to be a likely typo. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
