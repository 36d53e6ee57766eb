import TowerCore
