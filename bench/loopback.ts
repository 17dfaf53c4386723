import { fork } from 'node:child_process';

/** The server of `server.ts`, running in a child process. */
export interface Loopback {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Requests the server received since the last call. */
  hits(): Promise<number>;
  /** NDJSON lines the server wrote (the socket took) since the last call. */
  written(): Promise<number>;
  close(): Promise<void>;
}

export async function startLoopback(): Promise<Loopback> {
  const child = fork(new URL('./server.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.once('message', (message: { type: string; port: number }) => resolve(message.port));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    hits: () =>
      new Promise((resolve) => {
        child.once('message', (message: { count: number }) => resolve(message.count));
        child.send({ type: 'hits' });
      }),
    written: () =>
      new Promise((resolve) => {
        child.once('message', (message: { count: number }) => resolve(message.count));
        child.send({ type: 'written' });
      }),
    close: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
