import { removeDemoObjects } from './cleanup.js';
import { DemoContext, type DemoTarget } from './context.js';
import { JOURNEY, runJourney } from './journey.js';
import { SCENARIOS } from './scenarios.js';
import type { StepRecord } from './types.js';

export interface RunDemoOptions {
  readonly target: DemoTarget;
  /** A scenario name (see SCENARIOS); undefined runs the journey. */
  readonly scenario?: string;
  /** Each record as soon as it is known. */
  readonly onRecord: (r: StepRecord) => void;
  /** "step 3/10: …" while a step runs. */
  readonly onProgress?: (text: string) => void;
}

/** Runs the journey or one scenario against the target; returns every record (ok = behaved as described). */
export async function runDemo(o: RunDemoOptions): Promise<StepRecord[]> {
  const ctx = new DemoContext(o.target);
  let restore: Record<string, unknown> | undefined;
  if (o.target.shared) {
    o.onProgress?.('removing what an earlier demo left');
    await removeDemoObjects(ctx);
    const opts = await ctx.control<{ InstanceMetadataOptions?: Record<string, unknown> }>(
      'GET',
      '/node/metadata-options',
    );
    const m = opts.InstanceMetadataOptions ?? {};
    restore = {
      HttpTokens: m.HttpTokens,
      HttpPutResponseHopLimit: m.HttpPutResponseHopLimit,
      HttpEndpoint: m.HttpEndpoint,
    };
  }
  try {
    if (o.scenario === undefined) {
      const total = JOURNEY.length;
      o.onProgress?.(`step 1/${total}`);
      return await runJourney(ctx, (r, i) => {
        o.onRecord(r);
        if (i + 1 < total) o.onProgress?.(`step ${i + 2}/${total}`);
      });
    }
    const scenario = SCENARIOS.find((s) => s.name === o.scenario)!;
    o.onProgress?.(`scenario ${scenario.name}: setting up`);
    return await scenario.run(ctx, (r) => {
      o.onRecord(r);
      o.onProgress?.(`scenario ${scenario.name}: after ${r.id}`);
    });
  } finally {
    if (o.target.shared) {
      await removeDemoObjects(ctx);
      if (restore) await ctx.control('PUT', '/node/metadata-options', restore).catch(() => undefined);
    }
    ctx.close();
  }
}
