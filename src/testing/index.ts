// rx-api-client/testing: a transport for tests, its replies and faults, and virtual time that reaches body reads.
export { testTransport, type Answer, type PendingRequest, type TestTransport } from './test-transport.js';
export type { RecordedRequest, RequestMatch } from './requests.js';
export { chunkedReply, ndjsonReply, networkReset, noAnswer, sseReply, statusReply, type Reply, type ScriptedEvent } from './replies.js';
export { advanceBy, settle } from './virtual-time.js';
