// danfojs-node requires "@tensorflow/tfjs-node"; we hand it the one tfjs engine the project uses.
module.exports = require("@tensorflow/tfjs");
