/**
 * sha256 of every check file the catalogs encode: kube-bench v0.15.6 cfg/k3s-cis-1.7 … 1.9 and Rancher
 * security-scan 38bebe71 package/cfg/k3s-cis-1.10 … 1.12. The cluster's scans ship exactly these files
 * (kubeBench.checkFiles), so that they run the checks the prediction and the policy pack use; the
 * check-file test recomputes them from the vendored copies.
 */
import { BenchmarkId, CheckFileName } from "../types";

export const CHECK_FILE_DIGESTS: Record<BenchmarkId, Record<CheckFileName, string>> = {
  "k3s-cis-1.7": {
    "config.yaml": "241a1127c856532f9b26bfc4abded29a4e4b1213d2a76efdc3f5a296a105ca9f",
    "master.yaml": "3288dba7b229c11337aa7262d90cb285b5bda091d9783a1f11b73c5169dba145",
    "etcd.yaml": "1183156cffea460e0609dc96b7fc69ad7829aefb0b93a358ac08f39d0d19ab51",
    "controlplane.yaml": "14be134b5c6a486e2476e815d75976fbc5e6bb156e4a79b3332109537083567a",
    "node.yaml": "66f0275b3d9c043e80abc0abc0dec394cdd6669e7f71fbb358ef2c0e2fd8eeba",
    "policies.yaml": "128771b6e9bf85ed73f6a3575e3875688ecc9afb59ccd5d1bdbc796cf6a3f8fd",
  },
  "k3s-cis-1.8": {
    "config.yaml": "38c96883c00e66ae62e03924a50d25e21929cc8b095fcc5c9c95934f06f20e02",
    "master.yaml": "45b853ff2a3676e3d10407188f919eeef576bf8a840a0e6e016f8e81d21b088a",
    "etcd.yaml": "aea2cd3707522cd7299b86657aeb996594de78b7563b83e29e48ada7b77c0d3d",
    "controlplane.yaml": "15681446f9d88ef9c67336fdb468245ea38fbc769bfc15c3b06496891490ff27",
    "node.yaml": "31a652402346bb62a3d17b6e3778510bd1d8aee59ffa21ff66ced6233741c446",
    "policies.yaml": "fbcfb342c9ab35a2c6047cd2df64b6bcf2a2c188efa43ab5f2d9beef4df98466",
  },
  "k3s-cis-1.9": {
    "config.yaml": "38c96883c00e66ae62e03924a50d25e21929cc8b095fcc5c9c95934f06f20e02",
    "master.yaml": "5952fc52925f1010232f620a97540f0f4e0de08e72a5a7fcda6ba60d2091a8c6",
    "etcd.yaml": "1ac9d91f0772b851014e81b34b5710bb7bb04c028cd3a977fa4836e0cd4c6622",
    "controlplane.yaml": "358d7b44b22690840324427a9661dd8214a67dfabf8b6c3aeb6371b0db7803e8",
    "node.yaml": "a500b6b9a9e4ce57c2f52fb41bdaf10da8a541535284769471d5b247a553c7ac",
    "policies.yaml": "7124951046124c7918b1b313ef4cadcf99ffb25d9463a9efe92be9f72eaa3e66",
  },
  "k3s-cis-1.10": {
    "config.yaml": "ee8e70b87248d1921730d0dfd29853aeeae78f53a7b70422efd468f4900b1a8a",
    "master.yaml": "5040aded741d0f7fed14da602d049487aa9b95719cb6fc5fe52544d798a07d00",
    "etcd.yaml": "9b5162e1f256e28ec7fc58207296fd3a33d09e109775cb44db58bd0d369811c2",
    "controlplane.yaml": "ee16c886014f65589ea2e18222b8f4afcdfb06ced20baa862c1dfe7797bea9ac",
    "node.yaml": "465e10df840853b6e72fff350e46b54b71766cf5dc04710d2740653ae32f1dfe",
    "policies.yaml": "f42121e8cf61aaf017724a070d11e54eab453b5918f315a1af69a3a1eaa06dc9",
  },
  "k3s-cis-1.11": {
    "config.yaml": "ee8e70b87248d1921730d0dfd29853aeeae78f53a7b70422efd468f4900b1a8a",
    "master.yaml": "73395a674ecb2ce55207e2d0b7766399542b3cbf46f3d6c7321eef992393db6b",
    "etcd.yaml": "fed7de05c488d87ba09e2309e7979fdfe09508a196f1f5f76c5b4a85ec12acdc",
    "controlplane.yaml": "c1f0fad71738f90da1c1bdb8481ed1a4f0b61370d9b5646dadc4295bf73974d4",
    "node.yaml": "35d56f99470fa7c2c6ce3f109c349ca161d2c21cf6a3f2901255745894ca892f",
    "policies.yaml": "d98bcfd65e07fddec8c1c7b49d78057f0c7410a84335af3bc4eb3de20c5b10e0",
  },
  "k3s-cis-1.12": {
    "config.yaml": "ee8e70b87248d1921730d0dfd29853aeeae78f53a7b70422efd468f4900b1a8a",
    "master.yaml": "e50053fd1f4993c5c397898149c4da3712b2e33a5cc73a4460344612c3292fd8",
    "etcd.yaml": "1b7c667f120513d9496b96ae70e556c94c9469c4000650b28a1994adef0f2810",
    "controlplane.yaml": "10c71f802904fd05321cb7c4257211349e715cbb47b4e897838d0c8f5ab49672",
    "node.yaml": "9e14df0c1967cf71acf67561d9e9759d0d1a3a316dbc34d8288ffaf28632e7a7",
    "policies.yaml": "a8f7b3201019f039b3a375f67e0855c78ecc6360235874311f57293666d328bc",
  },
};
