/** The reference server's command line from source (`npm start` runs the built `dist/esm/opa/serve-cli.js`). */
import '../lib/opa/serve-cli.js';
