/** `--name N` from a script's arguments: a non-negative integer, or `fallback` when absent (the fuzzer's and the soak's flags). */
export function integerFlag(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  const parsed = index === -1 ? fallback : Number(args[index + 1]);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer`);
  return parsed;
}
