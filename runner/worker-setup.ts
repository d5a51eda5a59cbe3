/**
 * Set-up file of the suite projects (vitest `setupFiles`, run before each test file). Test files share one module
 * graph per worker (`isolate: false` in vitest.config.ts), so the HTTP connection pools outlive a file: close them
 * when it ends (the next file opens new ones), or the worker's keep-alive sockets hold it open after the run.
 */
import { afterAll } from 'vitest';
import { closePools } from '../harness/runtime/http.ts';

afterAll(async () => {
  await closePools();
});
