// Worker-thread bootstrap for running a TypeScript worker module from source: registers tsx's
// loader in this thread, then imports the module named by the first argument.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
