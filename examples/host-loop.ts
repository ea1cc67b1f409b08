/**
 * A host engine's own loop driving a gdhttp SceneTree: instead of `await tree.run()`, the host calls
 * `tree.step(delta)` once per frame from a plain `setInterval`, for a fixed number of frames, then stops.
 *
 * Run: node --import tsx examples/host-loop.ts
 */
import { Node, SceneTree, print } from '../src/core/index.js';

const FRAMES = 30;
const FPS = 60;

/** A node with `_process`: processing turns on by itself when it becomes ready, as in Godot. */
class Spinner extends Node {
  frames = 0;
  angle = 0;

  override _process(delta: number): void {
    this.frames++;
    this.angle += 90 * delta; // degrees per second
  }
}

const tree = new SceneTree();
const spinner = new Spinner();
spinner.name = 'Spinner';
tree.root.add_child(spinner);

// Timers count down in the frames the host runs.
tree.create_timer(0.2).timeout.connect(() => print('timer fired at frame ', tree.get_frame()));

let frames_run = 0;
let last = performance.now();
const loop = setInterval(() => {
  const now = performance.now();
  tree.step((now - last) / 1000);
  last = now;
  frames_run++;
  if (frames_run === FRAMES) {
    clearInterval(loop);
    print('host loop ran ', frames_run, ' frames; Spinner processed ', spinner.frames, ' frames');
    // Nothing keeps Node.js alive now: the tree holds no timer of its own, so the process exits.
  }
}, 1000 / FPS);
