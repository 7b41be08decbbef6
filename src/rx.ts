/**
 * The two RxJS classes hitless builds its streams from, imported from their own modules. RxJS's
 * index loads every operator and creation function (~75 ms at import, most of hitless's own
 * import time, where serverless functions and CLIs pay it on every cold start); these two load in
 * ~15 ms. `rxjs/internal/*` is in RxJS 7's package exports (ESM and CommonJS, with types) and
 * these are the same classes its index exports: `instanceof Observable` holds for users' code.
 * Types in the public API still come from 'rxjs' itself.
 */
export { Observable } from 'rxjs/internal/Observable';
export { Subject } from 'rxjs/internal/Subject';
