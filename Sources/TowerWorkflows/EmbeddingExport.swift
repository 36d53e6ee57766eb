import Foundation
import TowerCore
import TowerFormats
import TwoTower

/// Writes a saved model's embeddings for FAISS / NumPy users:
/// `item_embeddings.npy` (float32 `[items, d]`), `user_embeddings.npy` (float32 `[users, d]`),
/// `item_ids.txt` and `user_ids.txt` (raw ids, one per line, in row order) and
/// `embeddings.safetensors` (both matrices). Each file is written atomically.
public enum EmbeddingExport {
    /// Exports the model directory `model` into the directory `output` (created if needed).
    /// - Returns: the files written.
    @discardableResult
    public static func export(modelDirectory model: String, to output: String) throws -> [String] {
        let checkpoint = try ModelCheckpoint.load(from: model)
        let tower = try checkpoint.model()
        let items = tower.itemTower.embedAll(), users = tower.queryTower.embedAll()
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw PersistenceError.fileSystem(path: output, operation: "create directory", reason: "\(error.localizedDescription)")
        }
        func path(_ name: String) -> String { (output as NSString).appendingPathComponent(name) }
        try Npy.write(items, to: path("item_embeddings.npy"))
        try Npy.write(users, to: path("user_embeddings.npy"))
        for (name, ids) in [("item_ids.txt", checkpoint.items.ids), ("user_ids.txt", checkpoint.users.ids)] {
            try AtomicFile.write(Data(ids.joined(separator: "\n").utf8 + [0x0A]), to: path(name))
        }
        try SafeTensors(tensors: ["item_embeddings": StoredTensor(items), "user_embeddings": StoredTensor(users)],
                        metadata: ["twotower.model": model]).write(to: path("embeddings.safetensors"))
        return ["item_embeddings.npy", "user_embeddings.npy", "item_ids.txt", "user_ids.txt", "embeddings.safetensors"]
    }
}
