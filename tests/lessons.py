"""The lessons' own addresses the tests open, written once: lesson 004's two TensorFlow Playground links, as the
Playground writes them (its seed and hidden controls included)."""

SPIRAL_42 = (
    "https://playground.tensorflow.org/#activation=relu&batchSize=10&dataset=spiral&regDataset=reg-plane"
    "&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.80932&showTestData=false"
    "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false"
    "&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false"
)
SPIRAL_4552 = SPIRAL_42.replace("networkShape=4,2", "networkShape=4,5,5,2")
