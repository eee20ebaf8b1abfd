import * as z from 'zod';
import type { Fingerprint } from './fingerprint.js';

/** The shape of a plan file (`runner check --plan-out`); a change of shape is a new version. */
export const PLAN_VERSION = 1;

const Value = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.object({ value: z.number(), tolerance: z.number().nonnegative() }).strict(),
]);

export const PlanFile = z
  .object({
    version: z.literal(PLAN_VERSION),
    runner: z.string().min(1),
    host: z.object({ machineId: z.string().min(1), hostname: z.string() }).strict(),
    config: z.string(),
    configHash: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex'),
    createdAt: z.iso.datetime(),
    probed: z.array(z.string().min(1)).min(1),
    checks: z.array(
      z
        .object({
          check: z.string().min(1),
          summary: z.string(),
          plan: z.unknown(),
          fingerprint: z.record(z.string(), z.record(z.string(), Value)),
        })
        .strict(),
    ),
  })
  .strict();

export type PlanFile = z.output<typeof PlanFile>;
export type SavedPlan = PlanFile['checks'][number] & { fingerprint: Fingerprint };

/** Where a plan was made, and with what: a plan applies only where all of it is the same. */
export interface PlanOrigin {
  runner: string;
  machineId: string;
  hostname: string;
  configHash: string;
}

/** Why this plan must not be applied here and now; empty when it may. */
export function originProblems(plan: PlanFile, here: PlanOrigin, now: Date, maxAgeMs: number): string[] {
  const out: string[] = [];
  if (plan.host.machineId !== here.machineId)
    out.push(
      `made on another host: machine id ${plan.host.machineId} (${plan.host.hostname}), this is ${here.machineId} (${here.hostname})`,
    );
  if (plan.configHash !== here.configHash)
    out.push(`made with another config: sha256 ${plan.configHash}, the config now is ${here.configHash}`);
  if (plan.runner !== here.runner) out.push(`made by runner ${plan.runner}, this is runner ${here.runner}`);
  const ageMs = now.getTime() - Date.parse(plan.createdAt);
  if (ageMs > maxAgeMs)
    out.push(
      `made ${plan.createdAt}, ${Math.round(ageMs / 1000)}s ago: older than --max-plan-age (${maxAgeMs / 1000}s)`,
    );
  if (ageMs < -60_000) out.push(`made ${plan.createdAt}, in the future: the clock or the file is wrong`);
  return out;
}
