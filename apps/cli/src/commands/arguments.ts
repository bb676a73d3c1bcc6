import { InvalidArgumentError } from 'commander';

/** `a,b c` → ['a', 'b', 'c']. */
export function list(value: string): string[] {
  const items = value.split(/[\s,]+/).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('Give at least one value.');
  return items;
}

export function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Not a whole number.');
  return Number(value);
}
