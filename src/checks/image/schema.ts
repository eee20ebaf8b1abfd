import * as z from 'zod';
import { AbsolutePath } from '../../core/path-rules.js';
import { Duration } from '../../core/units.js';

/** Where an image id comes from: exactly one of a file, a command's stdout, or an http(s) URL. */
export const Source = z
  .object({
    file: AbsolutePath.optional().describe('a file holding the id'),
    command: z.array(z.string()).min(1).optional().describe('argv of a command printing the id'),
    url: z
      .string()
      .regex(/^https?:\/\//, { message: 'expected an http(s) URL' })
      .optional()
      .describe('an http(s) URL returning the id'),
    field: z
      .string()
      .regex(/^[^.]+(\.[^.]+)*$/, { message: 'expected a dotted path like id or images.linux64.id' })
      .optional()
      .describe('the text is JSON: take the id from this field (dotted path)'),
  })
  .strict()
  .refine((s) => [s.file, s.command, s.url].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of file, command and url',
  });
export type Source = z.output<typeof Source>;

export const ImageOptions = z
  .object({
    current: Source.describe(
      "this machine's image id; a url is fetched by the machine itself (e.g. a cloud metadata service)",
    ),
    wanted: Source.describe('the image id it should run; a url is fetched by runner (once per audit)'),
    timeout: Duration.prefault('30s').describe('how long to wait for a command or a URL'),
  })
  .strict();
export type ImageOptions = z.output<typeof ImageOptions>;

export interface ImagePlan {
  current: string;
  wanted: string;
  /** where each came from, e.g. "file /etc/image-id" */
  from: { current: string; wanted: string };
}
