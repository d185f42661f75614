/**
 * The package's version, as package.json states it. A constant rather than a read of the manifest at run time:
 * no file system access, so it works in bundles, CommonJS and runtimes without `node:fs`. A test keeps the two equal.
 */
export const ZEROTEL_VERSION = '0.1.0';
