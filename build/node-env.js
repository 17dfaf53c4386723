// Injected into the package's builds that leave NODE_ENV to the runtime (tsup.config.ts): there
// `process.env.NODE_ENV` is compiled to this variable, read once when the module loads, so that a
// runtime without `process` (a browser loading the build without a bundler's define) sees
// `undefined` (development) instead of throwing. Read through a variable: the build's define for
// process.env.NODE_ENV must not rewrite this line.
const env = typeof process === 'undefined' ? undefined : process.env;
export const RX_API_CLIENT_NODE_ENV = env && env.NODE_ENV;
