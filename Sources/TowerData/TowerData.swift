// TowerData: filled by later issues.
