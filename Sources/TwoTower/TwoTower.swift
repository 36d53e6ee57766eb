// TwoTower: filled by later issues.
