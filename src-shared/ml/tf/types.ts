// The TensorFlow.js namespace as a type. Code under src-shared/ml never chooses a backend: the host
// (a Node worker, the CLI, a browser page) imports '@tensorflow/tfjs' (which registers the
// gradients; tfjs-core alone does not), picks a backend with `initBackend` and passes the namespace
// down. Only types are imported here, so this file adds nothing to a bundle.
import type * as tfNamespace from '@tensorflow/tfjs';

/** The `@tensorflow/tfjs` namespace object, injected by the caller. */
export type Tf = typeof tfNamespace;
export type Tensor = tfNamespace.Tensor;
export type Tensor1D = tfNamespace.Tensor1D;
export type Tensor2D = tfNamespace.Tensor2D;
export type Variable = tfNamespace.Variable;
export type Scalar = tfNamespace.Scalar;
