// Test helper: runs snippets both in the JavaScript sandbox (a fresh isolated-vm context with
// the verifier's shim, no runner around it) and on the host with Node's real modules, so that
// tests can assert the two agree. Each snippet is a function body; its outcome is its return
// value as a string, or `throw:<name>[:<code>]`.
import { createRequire } from 'node:module';
import ivm from 'isolated-vm';
import { jsShimSource } from '../../ops/reward/code/js-shim.ts';

const hostRequire = createRequire(import.meta.url);

function describeThrow(e: unknown): string {
  if (e === null || typeof e !== 'object') return `throw:${typeof e}`;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return `throw:${String(name)}${typeof code === 'string' ? `:${code}` : ''}`;
}

/** Outcome of `body` on the host, with `require` (Node's) and `assert` in scope. */
export function hostOutcome(body: string): string {
  try {
    const r = new Function('require', 'assert', body)(hostRequire, hostRequire('node:assert')) as unknown;
    return String(r);
  } catch (e) {
    return describeThrow(e);
  }
}

/** A sandbox context; outcome() evaluates one body in it (with `assert` = require('assert')). */
export class Sandbox {
  private readonly isolate = new ivm.Isolate({ memoryLimit: 128 });
  private readonly ctx: ivm.Context;

  constructor() {
    this.ctx = this.isolate.createContextSync();
    this.isolate.compileScriptSync(jsShimSource(1 << 20)).runSync(this.ctx);
  }

  outcome(body: string): string {
    const wrapped = `(function () {
      const assert = require('assert');
      try { return String((function () { ${body}\n })()); }
      catch (e) {
        if (e === null || typeof e !== 'object') return 'throw:' + typeof e;
        return 'throw:' + String(e.name) + (typeof e.code === 'string' ? ':' + e.code : '');
      }
    })()`;
    return this.ctx.evalSync(wrapped, { copy: true, timeout: 5000 }) as string;
  }

  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}
