import ArgumentParser
import TowerFormats
import TowerWorkflows
import TwoTower

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a saved model's item and user embeddings as .npy (and safetensors) with id lists.",
        discussion: """
            Files: item_embeddings.npy (float32 [items, d]), user_embeddings.npy, item_ids.txt and \
            user_ids.txt (one raw id per line, in row order), embeddings.safetensors. \
            In Python: np.load("item_embeddings.npy"), then e.g. faiss.IndexFlatIP(d).add(items).
            """)

    @Option(name: .long, help: ArgumentHelp("The model directory written by `train --output`.", valueName: "dir"))
    var model: String

    @Option(name: .long, help: ArgumentHelp("Directory to write the files into (created if needed).", valueName: "dir"))
    var out: String

    func run() throws {
        let files = try EmbeddingExport.export(modelDirectory: model, to: out)
        print("wrote \(files.joined(separator: ", ")) to \(out)")
    }
}
