/** Where a Distributed Map wrote its children's results (`ResultWriterDetails`: the manifest's bucket and key). */
export interface ResultsLocation {
  bucket: string;
  key: string;
}

/** One child execution, as Step Functions' ResultWriter records it (Transformation NONE). */
export interface ChildResult {
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED' | 'PENDING';
  /** The child's input, as JSON text. */
  input: string;
  /** Its output (SUCCEEDED), as JSON text. */
  output?: string;
  /** Its error and cause (FAILED). */
  error?: string;
  cause?: string;
}

/** Reads every child result of a map run: the manifest, then each result file it lists. */
export interface RunResultsPort {
  read(location: ResultsLocation): Promise<ChildResult[]>;
}
