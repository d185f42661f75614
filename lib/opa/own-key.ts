/**
 * Stores `value` under `key` as an own data property, whatever the key. A plain assignment to
 * `__proto__` replaces the object's prototype instead (storing nothing, and reading back `{}`), so
 * every key that comes from outside (a request path, a configuration name) is stored through this.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
