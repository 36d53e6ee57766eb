import Foundation

/// Writes `line` and a newline to standard error at once (unbuffered), for progress and
/// diagnostics: header lines, notes, warnings. Results (tables, recommendations, JSON, the final
/// summary) go to standard output with `print`, so `twotower train ... > results.txt` and pipes
/// receive the results alone. Standard output is flushed first, so lines keep their order on a
/// terminal.
func printDiagnostic(_ line: String) {
    fflush(nil)
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
