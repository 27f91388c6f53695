#!/usr/bin/env node
// The mlops CLI: the bundled stages (lib/cli.js is built by `npm run build`).
import '../lib/cli.js';
