/**
 * Every notebook's exercise checks, by notebook: `lab.exercises.t6.e1(result)` says whether a student's
 * outcome is in the range the exercise states, and what to look at if not (src/run/exercise.ts).
 * A takeaway adds its own as `exercises.ts` in its folder and registers it here.
 */
import { demoExercises } from "./run/demo";
import { exercises as t1 } from "./takeaways/t1-world-model/exercises";
import { exercises as t2 } from "./takeaways/t2-chain-of-thought/exercises";
import { exercises as t3 } from "./takeaways/t3-attention/exercises";
import { exercises as t4 } from "./takeaways/t4-scaling/exercises";
import { exercises as t5 } from "./takeaways/t5-quantization/exercises";
import { exercises as t6 } from "./takeaways/t6-predictive-world-model/exercises";

export const exercises = Object.freeze({ tour: demoExercises, t1, t2, t3, t4, t5, t6 });
