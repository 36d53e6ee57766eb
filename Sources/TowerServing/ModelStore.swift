import Foundation
import Synchronization
import TwoTower

/// The model the service answers from, swapped atomically by a reload.
///
/// A reload loads and verifies the directory aside (``ServingModel/init(modelDirectory:version:precision:)``)
/// while requests keep using the current model; only a model that loaded completely replaces it.
/// Requests that took the old model finish on it. A failed reload keeps the old model.
public final class ModelStore: Sendable {
    /// The model directory (re)loaded.
    public let path: String
    /// How each loaded model's index scores queries.
    public let precision: ScoringPrecision
    private let state = Mutex<(model: ServingModel?, nextVersion: Int)>((nil, 1))
    private let reloading = Mutex<Bool>(false)

    /// A store for `path` scoring at `precision`, empty until ``reload()``.
    public init(path: String, precision: ScoringPrecision = .float32) {
        self.path = path
        self.precision = precision
    }

    /// The current model, or nil before the first successful load.
    public var current: ServingModel? { state.withLock { $0.model } }

    /// The current model. - Throws: ``ServingError/noModel`` (503) when none is loaded.
    func model() throws(ServingError) -> ServingModel {
        guard let model = current else { throw .noModel }
        return model
    }

    /// Outcome of a reload.
    public enum ReloadOutcome: Sendable {
        case loaded(ServingModel)
        /// The error of the failed load; the previous model (if any) still serves.
        case failed(any Error, serving: ServingModel?)
    }

    /// Loads the directory again and swaps it in. Reloads run one at a time: a reload requested
    /// while another runs waits for it and then loads again.
    public func reload() async -> ReloadOutcome {
        while reloading.withLock({ busy in
            if busy { return true }
            busy = true
            return false
        }) { try? await Task.sleep(for: .milliseconds(5)) }
        defer { reloading.withLock { $0 = false } }
        let version = state.withLock { $0.nextVersion }
        let path = self.path, precision = self.precision
        let loaded = await Task.detached {
            Result { try ServingModel(modelDirectory: path, version: version, precision: precision) }
        }.value
        switch loaded {
        case .success(let model):
            state.withLock { $0 = (model, version + 1) }
            return .loaded(model)
        case .failure(let error):
            return .failed(error, serving: current)
        }
    }
}
