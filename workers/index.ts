// Worker entry: the API app and the Durable Object classes. Nothing else lives here.
import { buildApp } from './app';

export { ThreadAgent } from '../durable-objects/thread-agent';
export { IngestBuffer } from '../durable-objects/ingest-buffer';

export default buildApp();
