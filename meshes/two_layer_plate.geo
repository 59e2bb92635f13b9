// Two-layer plate (coating on a support), 1.0 m x 0.4 m, for emcd_fem's mesh_file geometry.
// Physical groups name the regions and boundaries used by demos/mesh_file_geo.toml.
SetFactory("OpenCASCADE");
Rectangle(1) = {0.0, 0.0, 0, 0.3, 0.4};
Rectangle(2) = {0.3, 0.0, 0, 0.7, 0.4};
BooleanFragments{ Surface{1}; Delete; }{ Surface{2}; Delete; }
Physical Surface("coating", 1) = {1};
Physical Surface("support", 2) = {2};
Physical Curve("left", 11) = Curve In BoundingBox{-1e-6, -1e-6, -1e-6, 1e-6, 0.4 + 1e-6, 1e-6};
Physical Curve("right", 12) = Curve In BoundingBox{1 - 1e-6, -1e-6, -1e-6, 1 + 1e-6, 0.4 + 1e-6, 1e-6};
Physical Curve("walls", 13) = Curve In BoundingBox{-1e-6, -1e-6, -1e-6, 1 + 1e-6, 1e-6, 1e-6};
Physical Curve("walls", 13) += Curve In BoundingBox{-1e-6, 0.4 - 1e-6, -1e-6, 1 + 1e-6, 0.4 + 1e-6, 1e-6};
Mesh.MeshSizeMax = 0.1;
