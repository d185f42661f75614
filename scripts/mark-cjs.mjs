// After the CommonJS build: marks dist/cjs as CommonJS, so Node and TypeScript read its .js and .d.ts files as such
// although the package itself is "type": "module".
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
