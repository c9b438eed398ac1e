// A stand-in for an object a hook creates later: property reads go to the object once it exists.
export function lazy<T extends object>(current: () => T | undefined, name: string): T {
  const target = (): T => {
    const value = current();
    if (value === undefined) throw new Error(`${name} is used before its beforeAll hook ran`);
    return value;
  };
  return new Proxy({} as T, {
    get(_, property) {
      const object = target();
      const value = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
    has: (_, property) => Reflect.has(target(), property),
  });
}
