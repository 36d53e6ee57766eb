/// The version of TwoTower this build is, printed by `twotower --version` and reported by the
/// server. Raised with every release; the model directory format has its own version.
public enum TwoTowerVersion {
    public static let string = "0.5.0"
}
