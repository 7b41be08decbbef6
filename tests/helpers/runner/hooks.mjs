// Module resolution hook: a test file's `import ... from 'uvu'` gets timed-uvu.mjs, which wraps
// uvu's test registration. Everything else (uvu's own runner, the wrapper itself) gets uvu.
const wrapper = new URL('./timed-uvu.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  const parent = context.parentURL ?? '';
  if (specifier === 'uvu' && parent !== wrapper && parent.includes('/tests/') && !parent.includes('/node_modules/')) {
    return { url: wrapper, shortCircuit: true };
  }
  return next(specifier, context);
}
