import { isScalar } from 'yaml';
import { InventoryError } from './model.js';

const RULES: Record<string, { what: string; min: number; max: number }> = {
  ansible_port: { what: 'a port', min: 1, max: 65535 },
  ansible_ssh_port: { what: 'a port', min: 1, max: 65535 },
  ansible_ssh_timeout: { what: 'a timeout (whole seconds)', min: 1, max: 86400 },
  ansible_timeout: { what: 'a timeout (whole seconds)', min: 1, max: 86400 },
};

/**
 * Vars runner itself acts on must be plain decimal numbers. Ansible reads `ansible_port=0x8AE` as 2222 and fails
 * on `ansible_ssh_timeout=abc` only when it connects; runner refuses both when it reads the inventory.
 * `spelling` is the text as written (a number's source), `where` names the file, line and host or group.
 */
export function checkRunnerInput(key: string, value: unknown, spelling: string, where: string): void {
  const rule = RULES[key];
  if (!rule || value === null || value === undefined) return;
  const written = spelling.replace(/\s*#.*$/, '').trim();
  const plain =
    (typeof value === 'number' && /^[1-9][0-9]*$/.test(written)) ||
    (typeof value === 'string' && /^[0-9]+$/.test(value));
  const n = Number(value);
  if (plain && n >= rule.min && n <= rule.max) return;
  const reads = typeof value === 'number' && String(value) !== written ? ` (Ansible reads it as ${value})` : '';
  throw new InventoryError(
    `${where}: ${key}=${written}: ${rule.what} must be a decimal number from ${rule.min} to ${rule.max}${reads}; runner does not guess`,
  );
}

/** The same check for a YAML `key: value` pair. */
export function checkYamlInput(key: string, node: unknown, toJS: () => unknown, where: string): void {
  if (!RULES[key]) return;
  const spelling = isScalar(node) ? String(node.source ?? node.value) : JSON.stringify(toJS());
  checkRunnerInput(key, isScalar(node) ? node.value : toJS(), spelling, where);
}
