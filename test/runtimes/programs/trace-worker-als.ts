/** trace-worker.ts under the `nodejs_als` flag: AsyncLocalStorage handed to zerotel before any span. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { useAsyncLocalStorage } from '../../../lib/trace/index.js';
import worker from './trace-worker.js';

useAsyncLocalStorage(AsyncLocalStorage);

export default worker;
