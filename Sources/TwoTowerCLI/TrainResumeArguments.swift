import ArgumentParser
import TowerWorkflows
import TwoTower

/// `twotower train --resume DIR`: the saved run's command line (kept in DIR's checkpoint, see
/// ``ResumeCheckpoint``) comes first, then the flags given now; `--output` is DIR. A flag given
/// again replaces the saved one, and the run then refuses a value that changes the training
/// (naming the flag); a saved relative `--data`/`--test` is replaced by the absolute path
/// recorded in DIR's `config.json`, so the run resumes from any working directory — only `--epochs` may be raised, and the options that do not change the
/// model (`--threads`, `--quiet`, `--tensorboard`, `--report`, `--no-report`, `--metrics-out`,
/// `--checkpoint-every`) may differ.
enum TrainResumeArguments {
    /// Flags not kept in the checkpoint's command line.
    static let notSaved: Set<String> = ["--resume", "--output", "--config"]

    /// The arguments with the saved run's flags filled in, when `--resume DIR` is among them;
    /// unchanged otherwise.
    /// - Throws: `ValidationError` naming DIR when its checkpoint cannot be read.
    static func expand(_ arguments: [String]) throws -> [String] {
        let groups = flagGroups(arguments)
        let resumes = groups.filter { $0.flag == "--resume" }
        guard let resume = resumes.first else { return arguments }
        guard resumes.count == 1, let directory = resume.values.first, resume.values.count == 1 else {
            throw ValidationError("--resume takes one model directory, given once")
        }
        let launch: (arguments: [String], data: DataSourceRecord?)
        do { launch = try ResumeCheckpoint.launch(in: directory) } catch {
            throw ValidationError("--resume \(directory): \(error)")
        }
        let given = Set(groups.map(\.flag))
        let kept = flagGroups(launch.arguments).filter { !given.contains($0.flag) && !notSaved.contains($0.flag) }
        return kept.flatMap { recordedPaths($0, launch.data) } + arguments
    }

    /// A saved flag's tokens, with `--data` and `--test` spelt as the data record's absolute
    /// paths: the command line kept them as typed, relative to the directory the run started in.
    static func recordedPaths(_ group: (flag: String, values: [String], tokens: [String]), _ record: DataSourceRecord?) -> [String] {
        let path: String? = switch group.flag {
        case "--data": record?.path
        case "--test": record?.testPath
        default: nil
        }
        guard let path, group.values.count == 1 else { return group.tokens }
        return [group.flag, path]
    }

    /// What a checkpoint keeps of `arguments`: all but ``notSaved``.
    static func saved(_ arguments: [String]) -> [String] {
        flagGroups(arguments).filter { !notSaved.contains($0.flag) }.flatMap(\.tokens)
    }

    /// The arguments cut into flags with their values (`--flag=value` counts as one token).
    static func flagGroups(_ arguments: [String]) -> [(flag: String, values: [String], tokens: [String])] {
        var out: [(flag: String, values: [String], tokens: [String])] = []
        for a in arguments {
            if a.hasPrefix("--") {
                let parts = a.split(separator: "=", maxSplits: 1).map(String.init)
                out.append((parts[0], parts.count > 1 ? [parts[1]] : [], [a]))
            } else if !out.isEmpty {
                out[out.count - 1].values.append(a)
                out[out.count - 1].tokens.append(a)
            } else {
                out.append(("", [a], [a]))
            }
        }
        return out
    }
}
