export type { ImageSet, ImageSetTarget } from './image-set.ts';
export { imageSetSchema, loadImageSet, pinnedImageRef, writeImageSet } from './image-set.ts';
export type { KoBuildOptions } from './ko-build.ts';
export {
  buildComponents,
  checkServingCheckout,
  componentOfRef,
  koBuildInvocation,
  nodePlatform,
  parseComponents,
  refsByComponent,
} from './ko-build.ts';
export { DocumentError, parseLocated } from './located-parse.ts';
export type { BuildWorkloadOptions, BuiltImage, WorkloadImage, WorkloadImages } from './workload.ts';
export { buildWorkloadImage, contextHash, listWorkloadImages, workloadImagesSchema } from './workload.ts';
