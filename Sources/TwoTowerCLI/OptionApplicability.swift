import ArgumentParser
import Foundation
import TowerWorkflows
import TwoTower

/// Which options apply to the configuration a command line chooses (issues 11 and 12: options
/// that do not apply were silently ignored).
///
/// A contradiction — an option the configuration cannot honour, so the run would not be what the
/// user asked for (`--layers` with `--tower mf`, `--patience` with `--no-early-stopping`,
/// `--user-column` with MovieLens or LightGCN files) — is an error naming both flags. A harmless
/// no-op (`--wait-when-idle` with `--max-batch 1`, column options without `--data`) is a
/// `warning:` line on standard error. Only options the user gave are judged: options whose
/// default cannot be told from a given value are declared optional with a documented default.
enum OptionApplicability {
    struct Verdict: Equatable {
        var errors: [String] = []
        var warnings: [String] = []
    }

    /// Throws the first error as a usage error; prints each warning on standard error.
    static func enforce(_ verdict: Verdict) throws {
        if let first = verdict.errors.first { throw ValidationError(first) }
        for w in verdict.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
    }

    // MARK: Commands

    static func train(_ c: TrainCommand) -> Verdict {
        var v = data(c.data)
        model(c.model, into: &v)
        featureFiles(c.data, c.model, into: &v)
        training(c.training, validationSet: c.validationSet, into: &v)
        if c.checkpointEvery != nil, c.output == nil, c.resume == nil {
            v.warnings.append("--checkpoint-every has no effect without --output (checkpoints are written into the model directory)")
        }
        if c.noRefit, c.training.noEarlyStopping {
            v.warnings.append("--no-refit has no effect with --no-early-stopping: only an early-stopped run is refitted")
        }
        return v
    }

    /// Without `--data`, evaluate uses the data recorded in the model with its recorded options,
    /// so data options are contradictions.
    static func evaluate(_ c: EvaluateCommand) -> Verdict {
        let d = c.data
        guard d.data == nil else {
            var v = data(d)
            for flag in featureFlags(d) {
                v.warnings.append("\(flag) has no effect with evaluate: the model scores with the side features saved in it at training time")
            }
            return v
        }
        var v = Verdict()
        for flag in featureFlags(d) {
            v.errors.append("\(flag) has no effect with evaluate: the model holds its side features, and without --data the recorded feature files are re-read and checked; drop \(flag)")
        }
        let given: [(String, Bool)] = [("--split", d.split != nil), ("--min-rating", d.minRating != nil),
                                       ("--user-column", d.userColumn != nil), ("--item-column", d.itemColumn != nil),
                                       ("--timestamp-column", d.timestampColumn != nil), ("--rating-column", d.ratingColumn != nil),
                                       ("--skip-bad-lines", d.skipBadLines)]
        for (flag, isGiven) in given where isGiven {
            v.errors.append("\(flag) needs --data: without --data, evaluate uses the data recorded in the model with the options recorded at training time; give --data to choose them")
        }
        return v
    }

    static func inspect(_ c: InspectCommand) -> Verdict {
        var v = data(c.data)
        for flag in featureFlags(c.data) { v.warnings.append("\(flag) has no effect with inspect (it describes the interactions only)") }
        return v
    }

    /// `--user` and `--all-users` choose the users two ways; `--block` sizes `--all-users` blocks only.
    static func recommend(_ c: RecommendCommand) -> Verdict {
        var v = Verdict()
        if c.allUsers && !c.user.isEmpty {
            v.errors.append("--user and --all-users both choose the users: give --user ID (repeatable) or --all-users")
        }
        if !c.allUsers && c.block != 1024 {
            v.warnings.append("--block has no effect without --all-users (it sizes the --all-users search blocks)")
        }
        return v
    }

    static func serve(_ c: ServeCommand) -> Verdict {
        var v = Verdict()
        if c.waitsWhenIdle && c.maxBatch == 1 {
            v.warnings.append("--wait-when-idle has no effect with --max-batch 1 (batching is off)")
        }
        return v
    }

    // MARK: Option groups

    /// Column options need csv/tsv data; `--skip-bad-lines` and the columns need `--data`.
    static func data(_ d: DataOptions) -> Verdict {
        var v = Verdict()
        let columns: [(String, Bool)] = [("--user-column", d.userColumn != nil), ("--item-column", d.itemColumn != nil),
                                         ("--timestamp-column", d.timestampColumn != nil), ("--rating-column", d.ratingColumn != nil)]
        let given = columns.filter(\.1).map(\.0)
        guard let path = d.data else {
            for flag in given { v.warnings.append("\(flag) has no effect without --data (the built-in synthetic dataset has fixed columns)") }
            if d.skipBadLines { v.warnings.append("--skip-bad-lines has no effect without --data (the synthetic dataset has no bad lines)") }
            return v
        }
        var source = DataSource()
        source.format = d.format
        let format = source.resolvedFormat(for: path)
        if format == .movielens || format == .lightgcn {
            let how = d.format != nil ? "--format \(format.rawValue)" : "--data \(path) (read as \(format.rawValue))"
            for flag in given {
                v.errors.append("\(flag) applies to csv/tsv data only; \(how) has fixed columns: drop \(flag) or give --format csv")
            }
            if format == .lightgcn && d.minRating != nil {
                v.errors.append("--min-rating needs ratings, and \(how) has none: drop --min-rating")
            }
        }
        return v
    }

    /// MLP-only options with the MF tower.
    static func model(_ m: ModelOptions, into v: inout Verdict) {
        guard m.tower == .mf else { return }
        let mlpOnly: [(String, Bool)] = [("--layers", m.layers != nil), ("--dropout", m.dropout != nil),
                                         ("--embedding-dim", m.embeddingDim != nil), ("--infer-embedding-sizes", m.inferEmbeddingSizes),
                                         ("--no-item-features", m.noItemFeatures), ("--user-history", m.userHistory != nil)]
        for (flag, given) in mlpOnly where given {
            v.errors.append("\(flag) applies to --tower mlp only, and the tower is mf (the default --tower): add --tower mlp or drop \(flag)")
        }
    }

    /// The side-feature file flags given.
    static func featureFlags(_ d: DataOptions) -> [String] {
        [("--item-features", d.itemFeatures != nil), ("--item-feature-columns", d.itemFeatureColumns != nil),
         ("--item-features-key", d.itemFeaturesKey != nil), ("--user-features", d.userFeatures != nil),
         ("--user-feature-columns", d.userFeatureColumns != nil), ("--user-features-key", d.userFeaturesKey != nil)]
            .filter(\.1).map(\.0)
    }

    /// Feature files feed MLP towers only; `--no-item-features` turns the item ones off.
    static func featureFiles(_ d: DataOptions, _ m: ModelOptions, into v: inout Verdict) {
        if m.tower == .mf {
            for flag in ["--item-features", "--user-features"] where featureFlags(d).contains(flag) {
                v.errors.append("\(flag) applies to --tower mlp only, and the tower is mf (the default --tower): an mf tower embeds ids only; add --tower mlp or drop \(flag)")
            }
        }
        if m.noItemFeatures, d.itemFeatures != nil {
            v.errors.append("--item-features and --no-item-features contradict each other: --no-item-features turns every item side feature off; give one of them")
        }
    }

    /// Early stopping, validation and samplers.
    static func training(_ t: TrainingOptions, validationSet: Bool, into v: inout Verdict) {
        if t.noEarlyStopping, t.patience != nil {
            v.errors.append("--patience sets early stopping, which --no-early-stopping turns off: give one of them")
        }
        if t.noEarlyStopping, !validationSet, t.validationMetric != nil {
            v.warnings.append("--validation-metric has no effect with --no-early-stopping unless --validate holds out a validation set")
        }
        var seen = Set<String>()
        for s in t.sampler where !seen.insert(s).inserted {
            v.errors.append("--sampler \(s) is given twice (it would double those negatives): give each sampler once")
        }
    }
}
