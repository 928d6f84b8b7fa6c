import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { type ComponentName, componentNames } from '../config/images.ts';
import { DocumentError, parseLocated } from './located-parse.ts';

/**
 * An image reference that names one exact image: `repo@sha256:<64 hex>`, or the tag ko's kind
 * publisher returns, `kind.local/<name>:<64 hex digest>`. ko side-loads that image into containerd
 * under this tag only (ko `pkg/publish/kind.go`), so the `@sha256` form would not be found on the
 * node and the kubelet would try to pull it.
 */
export const pinnedImageRef = z
  .string()
  .refine((ref) => /@sha256:[0-9a-f]{64}$/.test(ref) || /^kind\.local\/[^@]+:[0-9a-f]{64}$/.test(ref), {
    message: "not pinned: expected `<repo>@sha256:<64 hex>` or ko's `kind.local/<name>:<64 hex>`",
  });

const isComponentName = (name: string): name is ComponentName => (componentNames as string[]).includes(name);

/** Where the images were published, so a run can check they are reachable from its cluster. */
const target = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('kind'), cluster: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('registry'), repository: z.string().min(1) }).strict(),
]);

/** The file `kpc images build` writes and `kpc run --candidate` reads. */
export const imageSetSchema = z
  .object({
    version: z.literal(1),
    components: z
      .record(z.string(), pinnedImageRef)
      .superRefine((components, ctx) => {
        const names = Object.keys(components);
        if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'names no component' });
        for (const name of names.filter((n) => !isComponentName(n))) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `unknown component "${name}": expected one of ${componentNames.join(', ')}`,
          });
        }
      })
      .transform((c) => c as Partial<Record<ComponentName, string>>),
    source: z
      .object({
        /** The knative/serving checkout the images were built from. */
        serving: z.string().min(1),
        /** `git rev-parse HEAD` of that checkout. */
        commit: z.string().regex(/^[0-9a-f]{40}$/, 'expected a 40-hex git commit'),
        /** The checkout had uncommitted changes (the commit alone does not describe the images). */
        dirty: z.boolean().optional(),
      })
      .strict(),
    target: target.optional(),
    platform: z
      .string()
      .regex(/^linux\/[a-z0-9]+$/)
      .optional(),
    builtAt: z.iso.datetime().optional(),
  })
  .strict();

export type ImageSet = z.infer<typeof imageSetSchema>;
export type ImageSetTarget = z.infer<typeof target>;

/** Reads and validates an image-set file; problems are reported with line and column. */
export async function loadImageSet(path: string): Promise<ImageSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DocumentError(path, [
      `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    ]);
  }
  return parseLocated(text, path, imageSetSchema);
}

export async function writeImageSet(path: string, set: ImageSet): Promise<void> {
  const valid = imageSetSchema.parse(set);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(valid, null, 2)}\n`);
}
