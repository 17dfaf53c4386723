/**
 * What each feature of `AsyncAPIClient` costs in the example app's bundle
 * (bench/size.ts): the app is bundled again with the feature cut out of the
 * sources as esbuild loads them (src/ itself is never written), and the saving
 * is the baseline's gzip size minus the variant's. Class methods cannot be
 * tree-shaken, so a feature the app never calls still costs its bytes; that is
 * what this measures. Last, every cut at once: the floor of this design
 * without those features, checked against a local server to still be a client.
 *
 *   node --import tsx bench/size-features.ts
 *
 * The cuts are text edits anchored on today's sources. When src/ changes under
 * them, the run stops and names the cut whose anchor is gone, and so does
 * spec/size-features.spec.ts in `npm test`: update the cut. The numbers in
 * bench/README.md are only as fresh as this run.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import ts from 'typescript';
import { breakdownTable, bundleApp, ourCodeAsOneRow, RXJS_EXTERNAL, sizeBreakdown } from './size.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Whether a cut is applied alone (its anchors must all be there) or with the others (another cut may have removed one first). */
interface CutContext {
  readonly combined: boolean;
}
type Edit = (source: string, context: CutContext) => string;

interface Feature {
  readonly name: string;
  /** What goes, in a few words. */
  readonly cut: string;
  /** Edits per file under src/, applied in order. */
  readonly edits: Readonly<Record<string, readonly Edit[]>>;
}

/** A cut whose anchor is gone from the sources: update the cut. */
export class StaleCut extends Error {}

/**
 * Replaces `find` (every match). With `shared`, a missing anchor is fine when
 * the cuts are combined: another cut removed the code around it.
 */
function text(find: string | RegExp, replacement: string, options: { shared?: boolean } = {}): Edit {
  return (source, { combined }) => {
    const found = typeof find === 'string' ? source.includes(find) : new RegExp(find.source, find.flags.replace('g', '')).test(source);
    if (!found) {
      if (options.shared && combined) return source;
      throw new StaleCut(`anchor not found: ${String(find).slice(0, 120)}`);
    }
    return typeof find === 'string' ? source.split(find).join(replacement) : source.replace(new RegExp(find.source, `${find.flags.replace('g', '')}g`), replacement);
  };
}

const parse = (source: string) => ts.createSourceFile('cut.ts', source, ts.ScriptTarget.ES2022, true);

/** Applies replacements given as [start, end, text], from the end backwards so that offsets hold. */
function splice(source: string, replacements: [number, number, string][]): string {
  return replacements.sort((a, b) => b[0] - a[0]).reduce((out, [start, end, insert]) => out.slice(0, start) + insert + out.slice(end), source);
}

function visit(node: ts.Node, fn: (node: ts.Node) => void): void {
  fn(node);
  node.forEachChild((child) => visit(child, fn));
}

/** Removes members of a class by name (`chunks`, `#breaker`; a computed name by its text, such as `[Symbol.for('x')]`). */
function members(className: string, ...names: string[]): Edit {
  return (source) => {
    const file = parse(source);
    const found: [number, number, string][] = [];
    const seen = new Set<string>();
    visit(file, (node) => {
      if (!ts.isClassDeclaration(node) || node.name?.text !== className) return;
      for (const member of node.members) {
        const name = member.name?.getText(file);
        if (name === undefined || !names.includes(name)) continue;
        found.push([member.getFullStart(), member.getEnd(), '']);
        seen.add(name);
      }
    });
    const missing = names.filter((name) => !seen.has(name));
    if (missing.length > 0) throw new StaleCut(`class ${className} has no ${missing.join(', ')}`);
    return splice(source, found);
  };
}

/** Replaces every call whose callee reads `callee` (such as `events.emit`) with `replacement`. */
function calls(callee: string, replacement: string): Edit {
  return (source) => {
    const file = parse(source);
    const found: [number, number, string][] = [];
    visit(file, (node) => {
      if (ts.isCallExpression(node) && node.expression.getText(file) === callee) found.push([node.getStart(file), node.getEnd(), replacement]);
    });
    if (found.length === 0) throw new StaleCut(`no call of ${callee}`);
    // Outermost calls only: an inner one goes with its outer one.
    return splice(source, found.filter((call) => !found.some((other) => other !== call && other[0] <= call[0] && other[1] >= call[1])));
  };
}

/** Replaces the body of a top-level function. */
function functionBody(name: string, body: string): Edit {
  return (source) => {
    const file = parse(source);
    const fn = file.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
    if (!fn?.body) throw new StaleCut(`no function ${name}`);
    return splice(source, [[fn.body.getStart(file), fn.body.getEnd(), `{\n${body}\n}`]]);
  };
}

/**
 * Folds an `if (true) { ... }` that other edits left: its statements take the
 * place of it and of the rest of its block, which can no longer run. The
 * minifier would drop that dead code as well, but only after the bundler has
 * linked in the rxjs modules it imports; folded here, they are not.
 */
function foldIfTrue(): Edit {
  return (source) => {
    const file = parse(source);
    const found: [number, number, string][] = [];
    visit(file, (node) => {
      if (!ts.isBlock(node)) return;
      const fold = node.statements.find(
        (s): s is ts.IfStatement => ts.isIfStatement(s) && s.expression.kind === ts.SyntaxKind.TrueKeyword && s.elseStatement === undefined && ts.isBlock(s.thenStatement),
      );
      if (fold === undefined) return;
      const kept = (fold.thenStatement as ts.Block).statements.map((s) => s.getText(file)).join('\n');
      found.push([fold.getStart(file), node.statements[node.statements.length - 1]!.getEnd(), kept]);
    });
    return found.length === 0 ? source : splice(source, found);
  };
}

const isStringy = (node: ts.Node): boolean =>
  ts.isStringLiteral(node) ||
  ts.isNoSubstitutionTemplateLiteral(node) ||
  ts.isTemplateExpression(node) ||
  (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken && (isStringy(node.left) || isStringy(node.right))) ||
  (ts.isParenthesizedExpression(node) && isStringy(node.expression));

/**
 * Empties the message texts: the message argument of `new ...Error(...)`, of
 * `super(...)` in the error classes, of the `refuse(...)` and `check(...)`
 * helpers that build them; and the constants that only fed a message.
 */
function messages(): Edit {
  return (source) => {
    const file = parse(source);
    const found: [number, number, string][] = [];
    visit(file, (node) => {
      if (!ts.isNewExpression(node) && !ts.isCallExpression(node)) return;
      const callee = node.expression.getText(file);
      const args = node.arguments ?? ts.factory.createNodeArray();
      const at = /Error$/.test(callee) || callee === 'super' || callee === 'refuse' ? 0 : callee === 'check' ? 3 : -1;
      const arg = args[at];
      if (arg && isStringy(arg)) found.push([arg.getStart(file), arg.getEnd(), "''"]);
    });
    // The constants that built a message just before `super(...)` (ParseError's `what`, BodyTooLargeError's `why`).
    visit(file, (node) => {
      if (ts.isVariableStatement(node) && node.declarationList.declarations.every((d) => ['what', 'why'].includes(d.name.getText(file)))) {
        found.push([node.getFullStart(), node.getEnd(), '']);
      }
    });
    if (found.length === 0) return source; // a file without messages
    return splice(source, found);
  };
}

export const FEATURES: readonly Feature[] = [
  {
    name: 'stream methods (chunks, lines, ndjson, sse)',
    cut: 'the four methods, the stream mode of the pipeline and of the transport',
    edits: {
      'client.ts': [members('AsyncAPIClient', 'chunks', 'lines', 'ndjson', 'sse')],
      'pipeline.ts': [
        text('    interceptors: stream ? [...stream.interceptors, ...config.interceptors] : config.interceptors,\n', '    interceptors: config.interceptors,\n'),
        text('    if (stream) attempts$ = attempts$.pipe(tap(() => (state.emitted = true)));\n', ''),
        text('        ...(stream && streamRetryTuning(policy, stream, () => state.emitted)),\n', ''),
        text('    stream: stream !== undefined,\n', ''),
        text('next: () => (state.ended ||= !stream),', 'next: () => (state.ended = true),', { shared: true }),
      ],
      'transport.ts': [
        // The fast path (one value, no interceptors) is then that of every request without interceptors.
        text(' && !options.stream) {', ') {'),
        text('const attempt$ = options.stream ? timed(response$, options).pipe(mergeMap(readResponse)) : timed(response$.pipe(mergeMap(readResponse)), options);', 'const attempt$ = timed(response$.pipe(mergeMap(readResponse)), options);'),
        text('tap({ next: () => options.stream || settle(), complete: settle, error: settle })', 'tap({ next: settle, complete: settle, error: settle })'),
      ],
    },
  },
  {
    name: '  of which sse',
    cut: 'the sse method only',
    edits: { 'client.ts': [members('AsyncAPIClient', 'sse')] },
  },
  {
    name: 'paginate',
    cut: 'the paginate method',
    edits: { 'client.ts': [members('AsyncAPIClient', 'paginate')] },
  },
  {
    name: 'circuit breaker',
    cut: 'the breaker, its guard in the pipeline, CircuitOpenError, its defaults',
    edits: {
      'client.ts': [text('      breaker: toCircuitBreaker(options.circuitBreaker),\n', '')],
      'pipeline.ts': [functionBody('guardedByBreaker', '  return attempt$;'), text('    state.circuitResponded?.(response.status);\n', '')],
      'retry/decide.ts': [text(' || error instanceof CircuitOpenError', '')],
      'options.ts': [text(/ {2}circuitBreaker: Object\.freeze\([^\n]*\),\n/, '')],
    },
  },
  {
    name: 'retry budget',
    cut: 'the token bucket, its use in the retry operator, its defaults',
    edits: {
      'client.ts': [text('      budget: toRetryBudget(options.retryBudget),\n', '')],
      'pipeline.ts': [text('        budget,\n', '')],
      'retry/operator.ts': [
        text('  const budget = guards?.budget;\n', ''),
        text(/ {12}if \(budget\) \{[\s\S]*?\n {12}\}\n/, ''),
        text(/ {8}tap\(\(\) => \{\n {10}if \(succeeded\) return;[\s\S]*?\n {8}\}\),\n/, ''),
        text('      let spent = 0;\n', ''),
        text('      let succeeded = false;\n', ''),
        text('            succeeded = false;\n', ''),
      ],
      'options.ts': [text(/ {2}retryBudget: Object\.freeze\([^\n]*\),\n/, '')],
    },
  },
  {
    name: 'token refresh',
    cut: 'SharedTokenRefresh, the replay after a 401, TokenRefreshError, its option check',
    edits: {
      'client.ts': [
        text('    const { tokenRefresh, timeout: refreshTimeout, scheduler } = config;\n', ''),
        text('      refresh: tokenRefresh && new SharedTokenRefresh(tokenRefresh, refreshTimeout, scheduler),\n', ''),
      ],
      'pipeline.ts': [
        text(/ {4}if \(refresh !== undefined\) \{\n[\s\S]*?\n {4}\}\n/, ''),
        text('    state.seenGeneration = parts.refresh?.generation ?? 0;\n', ''),
      ],
      'options.ts': [text('    tokenRefresh: checkTokenRefresh(options.tokenRefresh, auth),\n', '')],
    },
  },
  {
    name: 'interceptors',
    cut: 'the chain in the transport (Request built, re-read), the option check; sse would need another way to send Last-Event-ID',
    edits: {
      'transport.ts': [
        text(/ {4}const response\$ = withRequest\(\(sendable\) => \{\n {6}if \(interceptors\.length === 0\)[\s\S]*?\n {4}\}\);\n/, '    const response$ = withRequest(fetchOne);\n'),
        text('  const interceptors = options.interceptors ?? [];\n', ''),
        // The slow path is left for streams only (`true && x` folds away when minified);
        // with the stream mode cut too, it serves nothing and goes, with the rxjs operators only it used.
        text('if (interceptors.length === 0', 'if (true'),
        foldIfTrue(),
      ],
      'pipeline.ts': [text(/ {4}interceptors: [^\n]*\n/, '')],
      'options.ts': [text('    interceptors: resolveInterceptors(options.interceptors),\n', '')],
    },
  },
  {
    name: 'redirect following (Node)',
    cut: "following redirects by hand (browsers never do: fetch follows them), maxRedirects, RedirectError, the header rules of redirect.ts",
    edits: {
      'follow-redirects.ts': [
        text(/ {2}if \(!options\.manual\) return (transport\(request\.url\.href, \{ \.\.\.request\.init, selector: select \}\));[\s\S]*return hop\(request\.url, request\.init, 0, true\);/, '  return $1;'),
      ],
      'client.ts': [text(/ {6}\/\/ The runtime does not change[^\n]*\n {6}manualRedirects: runtimeShowsRedirects\(\),\n/, '')],
      'pipeline.ts': [text(/ {2}const redirects: RedirectOptions = \{[\s\S]*?\n {2}\};\n/, '  const redirects = {} as RedirectOptions;\n')],
      'options.ts': [text('    maxRedirects: checkMaxRedirects(options.maxRedirects),\n', '')],
    },
  },
  {
    name: 'events$',
    cut: 'the event stream, every emit, the header redaction it needs, the giveUp/cancel bookkeeping',
    edits: {
      'client.ts': [members('AsyncAPIClient', 'events$'), text('      events: new EventStream(),\n', '')],
      'pipeline.ts': [
        text('      endEvents(events, state, stream !== undefined),\n', ''),
        text('const NO_NAMES: ReadonlySet<string> = new Set();\n', ''),
        text(/ {4}\/\/ `attempt` counts every attempt[^\n]*\n {4}const onRetry = [^\n]*\n[^\n]*\n/, ''),
        text('retryWithPolicy(policy, config.scheduler, onRetry, {', 'retryWithPolicy(policy, config.scheduler, undefined, {'),
        text(/ {4}onRedirect: [\s\S]*?dropped \}\)\),\n/, '', { shared: true }),
        text(/ {2}const authorized = \(credentials: Credentials, attempt: number\) => \{\n[\s\S]*?\n {2}\};\n/, '  const authorized = (credentials: Credentials, _attempt: number) => authorize(request, credentials);\n'),
        calls('events.emit', 'void 0'),
        // What only the events named.
        text('  const { method, url } = target;\n', ''),
      ],
    },
  },
  {
    name: 'error and option messages',
    cut: "every message text (errors keep their class, name and fields); what only built a message",
    edits: Object.fromEntries(
      ['errors.ts', 'options.ts', 'url.ts', 'prepare.ts', 'headers.ts', 'auth.ts', 'auth-provider.ts', 'transport.ts', 'follow-redirects.ts', 'interceptors.ts', 'fetch-transport.ts', 'circuit-breaker.ts', 'retry/budget.ts', 'retry/idempotency.ts', 'paginate.ts', 'streams/lines.ts', 'streams/ndjson.ts', 'streams/sse.ts', 'token-refresh.ts'].map((file) => [file, [messages()]]),
    ),
  },
  {
    name: 'util.inspect hook of the errors',
    cut: "RequestError's Node-only [nodejs.util.inspect.custom] and shownCause",
    edits: {
      'errors.ts': [members('RequestError', "[Symbol.for('nodejs.util.inspect.custom')]", 'shownCause'), members('TokenRefreshError', 'shownCause')],
    },
  },
  {
    name: 'retry options validation',
    cut: "resolveRetry's per-field checks (a plain merge left)",
    edits: {
      'options.ts': [
        functionBody(
          'resolveRetry',
          `  if (override === undefined) return base;
  if (override === false) return Object.freeze({ ...base, maxAttempts: 1 });
  const { statuses, methods } = override;
  return Object.freeze({
    ...base,
    ...override,
    statuses: statuses === undefined ? base.statuses : typeof statuses === 'function' ? statuses : (status: number) => statuses.includes(status),
    methods: methods === undefined || methods === 'all' ? methods ?? base.methods : methods.map((m) => m.toUpperCase()),
  } as RetryPolicy);`,
        ),
      ],
    },
  },
  {
    name: 'Retry-After dates, retry-after-ms, RateLimit-Reset',
    cut: 'the server delay read from Retry-After in seconds only',
    edits: {
      'retry/retry-after.ts': [
        text('  const date = parseHttpDate(value.trim(), now);\n  return date === undefined ? undefined : Math.max(0, date - now);', '  return undefined;'),
        text("  const ms = parseDelay(headers.get('retry-after-ms') ?? '');\n  if (ms !== undefined) return ms;\n", ''),
        text("  return parseRateLimitReset(headers.get('ratelimit-reset'), now) ?? parseRateLimitReset(headers.get('x-ratelimit-reset'), now);", '  return undefined;'),
      ],
    },
  },
  {
    name: 'deadline',
    cut: 'the whole-request limit (option, retry guard, timeout)',
    edits: {
      'pipeline.ts': [text("    const deadline = resolveTimeout(call.options.deadline, config.deadline, 'deadline');\n", ''), text('        deadline,\n', '')],
      'options.ts': [text("    deadline: resolveTimeout(options.deadline, DEFAULTS.deadline, 'deadline'),\n", '')],
      'retry/operator.ts': [
        text('  const deadline = guards?.deadline ?? Infinity;\n', ''),
        text('      const deadlineAt = scheduler.now() + deadline;\n', ''),
        text(/ {12}if \(guards && now \+ decision\.delayMs >= deadlineAt\) \{[\s\S]*?\n {12}\}\n/, ''),
        text(/ {6}if \(!guards \|\| deadline === Infinity\) return retried\$;[\s\S]*?\n {6}\);\n(?= {4}\}\);)/, '      return retried$;\n'),
      ],
    },
  },
  {
    name: 'body size limit of getJson',
    cut: 'readBodyText (counted read, BodyTooLargeError) for response.text(), the option',
    edits: {
      'response.ts': [text('const text = await readBodyText(response, context.maxBodySize ?? DEFAULTS.maxBodySize, context);', 'const text = await response.text();')],
      'pipeline.ts': [
        text('    const maxBodySize = resolveMaxBodySize(call.options.maxBodySize, config.maxBodySize);\n', ''),
        text('attemptsOf(parts, call, request, state, { timeoutMs, maxBodySize })', 'attemptsOf(parts, call, request, state, { timeoutMs } as never)'),
        text('const context = { target, attempt: ++state.attempt, maxBodySize };', 'const context = { target, attempt: ++state.attempt };'),
      ],
      'options.ts': [text('    maxBodySize: resolveMaxBodySize(options.maxBodySize, DEFAULTS.maxBodySize),\n', '')],
    },
  },
  {
    name: 'idempotency key',
    cut: 'the Idempotency-Key header of non-idempotent requests',
    edits: { 'pipeline.ts': [text('    const request = withIdempotencyKey(prepared, policy.idempotencyKey);\n', '    const request = prepared;\n')] },
  },
  {
    name: 'auth functions (per-attempt credentials)',
    cut: 'authHeaders as a function, Promise or Observable: fixed headers only (token refresh needs them)',
    edits: {
      // A function is no longer taken for one: readCredentials refuses it.
      'auth-provider.ts': [text("  if (typeof input === 'function') return { kind: 'provider', provider: input };\n", '')],
      // The attempt's request is known at once: no Observable of it, in the pipeline or in send.
      'pipeline.ts': [text(/ {4}const request\$ =\n {6}auth\.kind === 'fixed'\n[^\n]*\n[^\n]*\n/, '    const request$ = authorized((auth as { credentials: Credentials }).credentials, context.attempt);\n')],
      'transport.ts': [text('isObservable(request$) ? request$.pipe(switchMap(sendRequest)) : sendRequest(request$)', 'sendRequest(request$ as SendableRequest)')],
    },
  },
  {
    name: 'endpoint guard',
    cut: "joinUrl's checks (.. climbs, absolute URLs, other origins) and allowedOrigins",
    edits: {
      'url.ts': [
        functionBody(
          'joinUrl',
          "  const url = new URL(`./${endpoint.replace(/^[/\\\\]/, '')}`, base);\n  if (params !== undefined) appendParams(url.searchParams, params);\n  return url;",
        ),
      ],
      'options.ts': [text('    allowedOrigins: parseAllowedOrigins(options.allowedOrigins),\n', '')],
    },
  },
];

/** Every cut but the rows that detail another (indented: their cut is part of the row above). */
export const EVERY_CUT = FEATURES.filter((f) => !f.name.startsWith(' '));

/**
 * A file of src/ (`file` relative to it, such as `pipeline.ts`) with the
 * features' edits applied. Throws {@link StaleCut}, naming the feature, when
 * an anchor is gone from today's source.
 */
export function cutSource(features: readonly Feature[], file: string, source: string): string {
  const combined = features.length > 1;
  let cut = source;
  for (const feature of features) {
    for (const edit of feature.edits[file] ?? []) {
      try {
        cut = edit(cut, { combined });
      } catch (error) {
        if (error instanceof StaleCut) throw new StaleCut(`${feature.name.trim()}, src/${file}: ${error.message}`);
        throw error;
      }
    }
  }
  return cut;
}

/** An esbuild plugin that applies the features' edits to src/ files as they load; it records which files it touched. */
export function cutPlugin(features: readonly Feature[], touched: Set<string>): Plugin {
  return {
    name: 'cut-features',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
        const file = args.path.slice(SRC.length).replaceAll('\\', '/');
        const source = cutSource(features, file, await readFile(args.path, 'utf8'));
        if (features.some((feature) => feature.edits[file])) touched.add(file);
        return { contents: source, loader: 'ts' };
      });
    },
  };
}

const gzip = (code: string) => gzipSync(code, { level: 9 }).length;
const SKETCH = './bench/size-sketch.ts';

interface Sizes {
  readonly ownMinified: number;
  readonly ownCode: number;
  readonly withRxjs: number;
}

async function sizesOf(features: readonly Feature[]): Promise<Sizes> {
  const touched = new Set<string>();
  const own = await bundleApp(RXJS_EXTERNAL, { plugins: [cutPlugin(features, touched)] });
  const all = await bundleApp([], { plugins: [cutPlugin(features, new Set())] });
  // A file the cut edits that the bundle never loaded: the cut is stale (or the file was shaken away by an earlier cut).
  const missed = features.flatMap((f) => Object.keys(f.edits)).filter((file) => !touched.has(file));
  if (features.length === 1 && missed.length > 0) throw new StaleCut(`${features[0]!.name.trim()}: ${missed.join(', ')} not in the bundle`);
  return { ownMinified: Buffer.byteLength(own.code), ownCode: gzip(own.code), withRxjs: gzip(all.code) };
}

/**
 * Runs a bundle of a client against a local server: a getJson with a bearer
 * token and params, a 503 retried (after `Retry-After: 0`), a timeout, and an
 * unsubscribe that closes the connection. The floor must still be a client,
 * or its size means nothing; so must the sketch.
 *
 * @param client an expression that makes the client from `base` (the sketch takes positional options)
 */
export async function checkStillAClient(entry: string, plugins: Plugin[], client: string): Promise<void> {
  let flakyHits = 0;
  let aborted = 0;
  const server = createServer((req, res) => {
    if (req.url === '/v1/flaky' && ++flakyHits === 1) return void res.writeHead(503, { 'retry-after': '0' }).end();
    if (req.url?.startsWith('/v1/slow')) {
      if (req.url.endsWith('?cancel')) req.on('close', () => res.writableEnded || (aborted += 1));
      return void setTimeout(() => res.writableEnded || res.destroyed || res.end('{}'), 1_000).unref();
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ auth: req.headers.authorization, url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const result = await build({
      stdin: {
        contents: `
          import { lastValueFrom } from 'rxjs';
          import { AsyncAPIClient, bearerTokenAuth } from '${entry}';
          const base = 'http://127.0.0.1:${port}/v1';
          const client = ${client};
          const ok = await lastValueFrom(client.getJson('/items', { page: 2 }));
          const retried = await lastValueFrom(client.getJson('/flaky'));
          const timedOut = await lastValueFrom(client.getJson('/slow')).catch((e) => e.name);
          const subscription = client.getJson('/slow?cancel').subscribe();
          await new Promise((resolve) => setTimeout(resolve, 100));
          subscription.unsubscribe();
          await new Promise((resolve) => setTimeout(resolve, 100));
          export default { ok, retried, timedOut };
        `,
        resolveDir: fileURLToPath(new URL('..', import.meta.url)),
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'es2022',
      plugins,
      write: false,
      logLevel: 'silent',
    });
    const url = `data:text/javascript;base64,${Buffer.from(result.outputFiles[0]!.contents).toString('base64')}`;
    const { default: got } = (await import(url)) as { default: { ok: { auth: string; url: string }; retried: unknown; timedOut: string } };
    const fine = got.ok.auth === 'Bearer t0ken' && got.ok.url === '/v1/items?page=2' && got.retried !== undefined && flakyHits === 2 && got.timedOut === 'TimeoutError' && aborted === 1;
    if (!fine) throw new Error(`${entry} does not work as a client: ${JSON.stringify({ ...got, flakyHits, aborted })}`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/**
 * What rxjs alone costs for a set of its exports (gzip bytes): the bundle of
 * an app that only references them. `conditions: ['es2015']` picks rxjs's
 * ES2015 build (dist/esm) over the ES5 one (dist/esm5, which esbuild takes by
 * default and which brings tslib's ES5 helpers); Angular's builder asks for it.
 */
async function rxjsAlone(names: readonly string[], conditions?: string[]): Promise<number> {
  const result = await build({
    stdin: {
      contents: `import { ${names.filter((n) => n !== 'fromFetch').join(', ')} } from 'rxjs';${names.includes('fromFetch') ? " import { fromFetch } from 'rxjs/fetch';" : ''} console.log(${names.join(', ')});`,
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    ...(conditions && { conditions }),
  });
  return gzip(result.outputFiles[0]!.text);
}

/** The rxjs exports that AsyncAPIClient's modules import today (all of src/ but to-promise.ts and the undici entry), and the few the brief's core needs. */
const RXJS_TODAY = ['asyncScheduler', 'catchError', 'concat', 'concatMap', 'concatWith', 'defer', 'EMPTY', 'expand', 'finalize', 'from', 'fromFetch', 'ignoreElements', 'isObservable', 'map', 'mergeMap', 'Observable', 'of', 'retry', 'share', 'Subject', 'Subscription', 'switchMap', 'take', 'tap', 'throwError', 'throwIfEmpty', 'timeout', 'timer'];
const RXJS_CORE = ['asyncScheduler', 'defer', 'fromFetch', 'retry', 'throwError', 'timeout', 'timer'];

const CHECKED = 'checked against a local server: it sends the token and params, retries a 503, times out, and unsubscribing closes the connection';

const int = (n: number) => Math.round(n).toLocaleString('en-US');

// Run as a script: print the table (imported, it only gives the cuts).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const base = await sizesOf([]);
  const rows: string[] = [];
  for (const feature of FEATURES) {
    const cut = await sizesOf([feature]);
    rows.push(
      `| ${feature.name.startsWith(' ') ? `&nbsp;&nbsp;${feature.name.trim()}` : feature.name} | ${feature.cut} | ${int(base.ownCode - cut.ownCode)} | ${int(base.withRxjs - cut.withRxjs)} | ${int(base.ownMinified - cut.ownMinified)} |`,
    );
  }
  const floor = await sizesOf(EVERY_CUT);
  console.log(`baseline: our code ${int(base.ownCode)} bytes gzip (${int(base.ownMinified)} minified), with rxjs ${int(base.withRxjs)}\n`);
  console.log('| feature cut out | what goes | our code, gzip bytes saved | with rxjs, gzip bytes saved | our code, minified bytes saved |');
  console.log('|---|---|---:|---:|---:|');
  for (const row of rows) console.log(row);
  console.log(
    `| **all of the above at once** | | **${int(base.ownCode - floor.ownCode)}** | **${int(base.withRxjs - floor.withRxjs)}** | **${int(base.ownMinified - floor.ownMinified)}** |`,
  );
  console.log(`\nleft with every cut: our code ${int(floor.ownCode)} bytes gzip (${int(floor.ownMinified)} minified), with rxjs ${int(floor.withRxjs)}`);
  await checkStillAClient('./src/index.ts', [cutPlugin(EVERY_CUT, new Set())], "new AsyncAPIClient({ baseUrl: base, authHeaders: bearerTokenAuth('t0ken'), timeout: 300, retry: { maxAttempts: 2, baseDelay: 10 } })");
  console.log(`the client with every cut is ${CHECKED}`);
  const sketch = { own: await bundleApp(RXJS_EXTERNAL, { entry: SKETCH }), all: await bundleApp([], { entry: SKETCH }) };
  await checkStillAClient(SKETCH, [], "new AsyncAPIClient(base, bearerTokenAuth('t0ken'), 300, { maxAttempts: 2, baseDelay: 10 })");
  console.log(
    `\nthe sketch (bench/size-sketch.ts): our code ${int(gzip(sketch.own.code))} bytes gzip (${int(Buffer.byteLength(sketch.own.code))} minified), with rxjs ${int(gzip(sketch.all.code))}; ${CHECKED}`,
  );
  console.log('\nrxjs alone, gzip bytes (its ES5 build, as esbuild picks by default / its ES2015 build):');
  for (const [what, names] of [
    ['Observable', ['Observable']],
    ['fromFetch', ['fromFetch']],
    [`the core (${RXJS_CORE.join(', ')})`, RXJS_CORE],
    ['the core without fromFetch, with Observable', [...RXJS_CORE.filter((n) => n !== 'fromFetch'), 'Observable']],
    [`all that AsyncAPIClient's modules import (${RXJS_TODAY.length} exports)`, RXJS_TODAY],
  ] as const) {
    console.log(`  ${what}: ${int(await rxjsAlone(names))} / ${int(await rxjsAlone(names, ['es2015']))}`);
  }
  const es2015 = await bundleApp([], { conditions: ['es2015'] });
  console.log(`  the example app with rxjs's ES2015 build: ${int(gzip(es2015.code))} (with the ES5 build: ${int(base.withRxjs)})`);

  console.log('\nwhat is left with every cut: our code, module by module');
  console.log(breakdownTable(await sizeBreakdown(RXJS_EXTERNAL, { plugins: [cutPlugin(EVERY_CUT, new Set())] })));
  console.log('\nand the whole bundle');
  console.log(breakdownTable(await sizeBreakdown([], { group: ourCodeAsOneRow, plugins: [cutPlugin(EVERY_CUT, new Set())] })));
}
