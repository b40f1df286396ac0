// The interface every local optimiser implements: given the generalised coordinates X and forces
// f = −∂E/∂X (flat [3M], rows of 3; relax/optimizable.ts), propose a displacement ΔX. Optimisers
// keep their own history (FIRE's velocity, L-BFGS's pairs) between calls; `reset` forgets it.
export interface OptimizerStepper {
  readonly name: string;
  /** Fill dx [3M] with the next displacement from x [3M] and forces f [3M]. */
  step(x: Float64Array, f: Float64Array, dx: Float64Array): void;
  reset(): void;
}
