{
  "targets": [
    {
      "target_name": "g2b_native",
      "sources": ["g2b_native.c"],
      "cflags": ["-O3", "<!@(node march.js)", "-fno-math-errno", "-ffp-contract=off", "-fopenmp", "-Wno-unused-parameter"],
      "libraries": ["-ldl", "-fopenmp"],
      "ldflags": ["-fopenmp"]
    }
  ]
}
