package dev.convt.kernel;

/**
 * One task's coordinates, decoded once from its index by the plan that runs it and read by its
 * compute and store passes: image, output depth slice and group, the depth taps that reach the
 * slice, and the task's block of rows and output channels. Mutable and kept in the thread's
 * {@link Workspace}, so a task allocates nothing.
 */
final class TaskCursor {

    /** Image, output depth slice ({@code 0} below 3-D) and group. */
    int n;
    int oz;
    int g;
    /** The taps {@code [tz0, tz1)} of the slice's depth phase that read an input slice, and that phase's blocks (tiled plans). */
    int tz0;
    int tz1;
    WeightBlocks blocks;
    /** The reduction: {@code inputs} (depth tap, input channel) pairs, block inputs from {@code firstInput} on. */
    int firstInput;
    int inputs;
    /** The y-family (pixel-tiled) or y-phase (channel-tiled), and the task's grid rows of it from {@code gridRow0}. */
    int fy;
    int gridRow0;
    int gridRow1;
    /** The output rows {@code [outputRow0, outputRow1)} of a plan that computes whole output rows (depthwise, scalar). */
    int outputRow0;
    int outputRow1;
    /** Output channels {@code [c0, c1)} of the group. */
    int c0;
    int c1;
    /** Column block (pixel-tiled), or first input row of the packed panel (channel-tiled). */
    int column;
    int inputRow0;
}
