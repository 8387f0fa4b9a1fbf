"""Cases shared by the engine, lesson, CLI and app tests: scenario texts and the tables of bad input.

Each table is run through every place the input can arrive (the parser, a scenario file, the CLI, the app);
the tests that do so import it from here.
"""
from __future__ import annotations

from hnn_tui.engine.expression import MAX_DEPTH, MAX_LENGTH
from hnn_tui.engine.scenario import MAX_FILE_BYTES

# --- scenario texts ---------------------------------------------------------------------------

CIRCUIT = """
title = "a test circuit"
kind = "circuit"
{top}
[circuit]
expression = "{expression}"
inputs = {{ {inputs} }}
{circuit}
[settings]
{settings}
"""


def circuit_text(top="", expression="x * y", inputs="x = -2.0, y = 3.0", circuit="", settings=""):
    return CIRCUIT.format(top=top, expression=expression, inputs=inputs, circuit=circuit, settings=settings)


# a circuit whose output is not finite after a few steps (exp of an input stepped by 100 a step)
DIVERGING = """
title = "exp blows up"
kind = "circuit"
steps = 10
[circuit]
expression = "exp(x)"
inputs = { x = 1.0 }
[settings]
step_size = 100
"""


CLASSIFIER = """
title = "a test classifier"
kind = "classifier"
[model]
type = "svm"
{model}
[data]
{data}
"""


def classifier_text(model="", data='dataset = "guide_svm"'):
    return CLASSIFIER.format(model=model, data=data)


# --- scenario text that is refused: (why, text, the dotted key the error names) -----------------

BAD = [
    ("not toml", "title = ", ""),
    ("missing kind", 'title = "t"\n', "kind"),
    ("unknown kind", 'title = "t"\nkind = "banana"\n', "kind"),
    ("missing title", 'kind = "circuit"\n', "title"),
    ("typo at the top", circuit_text(top="stpes = 3"), "stpes"),
    ("typo in settings", circuit_text(settings="step_sise = 0.1"), "settings.step_sise"),
    ("typo in circuit", circuit_text(circuit='trainabel = ["x"]'), "circuit.trainabel"),
    ("typo in model", classifier_text(model="rge = 1.0"), "model.rge"),
    ("wrong type", circuit_text(settings='step_size = "big"'), "settings.step_size"),
    ("bool for a number", circuit_text(settings="step_size = true"), "settings.step_size"),
    ("h = 0", circuit_text(settings="h = 0"), "settings.h"),
    ("h < 0", circuit_text(settings="h = -1e-4"), "settings.h"),
    ("nan step", circuit_text(settings="step_size = nan"), "settings.step_size"),
    ("inf step", circuit_text(settings="step_size = inf"), "settings.step_size"),
    ("nan input", circuit_text(inputs="x = nan, y = 3.0"), "circuit.inputs.x"),
    ("tries = 0", circuit_text(settings="tries = 0"), "settings.tries"),
    ("negative steps", circuit_text(top="steps = -1"), "steps"),
    ("unknown strategy", circuit_text(top='strategy = "genetic"'), "strategy"),
    ("label 0", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1, 0]"), "data.labels[1]"),
    ("label 1.0", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1.0, -1]"), "data.labels[0]"),
    ("label count", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1]"), "data.labels"),
    ("one class", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1, 1]"), "data.labels"),
    ("bad point", classifier_text(data='points = [[1, 2], [3, "x"]]\nlabels = [1, -1]'), "data.points[1]"),
    ("no points", classifier_text(data="points = []\nlabels = []"), "data.points"),
    ("unknown dataset", classifier_text(data='dataset = "mnist"'), "data.dataset"),
    ("unknown model", classifier_text().replace('"svm"', '"forest"'), "model.type"),
    ("hidden 0", classifier_text(model="hidden = 0"), "model.hidden"),
    ("import", circuit_text(expression="__import__('os')"), "circuit.expression"),
    ("attribute", circuit_text(expression="x.y * 2"), "circuit.expression"),
    ("missing input value", circuit_text(expression="x * y * z"), "circuit.inputs"),
    ("input not in expression", circuit_text(inputs="x = 1.0, y = 2.0, w = 3.0"), "circuit.inputs"),
    ("trainable unknown", circuit_text(circuit='trainable = ["w"]'), "circuit.trainable"),
    ("trainable empty", circuit_text(circuit="trainable = []"), "circuit.trainable"),
    # A list entry is not a name; a broken wire is in circuit.wires, not the expression; init
    # names a parameter the SVM does not have (a, b, c): each must be refused at its own key.
    ("trainable not a name", circuit_text(circuit='trainable = [["x"]]'), "circuit.trainable"),
    ("bad wire sub-expression", circuit_text(circuit='wires = { q = "x +" }'), "circuit.wires.q"),
    ("typo in init", classifier_text(model="init = { a = 1.0, bb = -2.0 }"), "model.init.bb"),
    ("a wire label that is an input's name", circuit_text(expression="(x + y) * z", inputs="x = 1.0, y = 2.0, z = 3.0",
                                                           circuit='wires = { x = "y * z" }'), "circuit.wires.x"),
    ("two labels for one wire", circuit_text(expression="(x + y) * z", inputs="x = 1.0, y = 2.0, z = 3.0",
                                             circuit='wires = { q = "x + y", p = "x+y" }'), "circuit.wires.p"),
    ("hidden on an svm", classifier_text(model="hidden = 4"), "model.hidden"),
    ("layers on an svm", classifier_text(model="layers = [8]"), "model.layers"),
    ("unknown init scheme", classifier_text(model='init_scheme = "lecun"'), "model.init_scheme"),
    ("bias_start not a number", classifier_text(model='bias_start = "low"'), "model.bias_start"),
    ("negative l1", classifier_text(model="l1 = -0.1"), "model.l1"),
    ("dropout on an svm", classifier_text(model="dropout = 0.5"), "model.dropout"),
    ("dropout 1", classifier_text(model='type = "mlp"\ndropout = 1.0').replace('type = "svm"\n', ""), "model.dropout"),
    ("a class weight of 0", classifier_text(model='class_weights = { "+1" = 0 }'), "model.class_weights.+1"),
    ("a class weight for no class", classifier_text(model='class_weights = { "2" = 1.5 }'), "model.class_weights.2"),
    ("class weights neither table nor balanced", classifier_text(model='class_weights = "even"'),
     "model.class_weights"),
    # update rules and schedules (issue 15): a value out of range, or a key the chosen rule or schedule never reads
    ("unknown update rule", circuit_text(settings='update = "adam"'), "settings.update"),
    ("momentum = 1", circuit_text(settings='update = "momentum"\nmomentum = 1'), "settings.momentum"),
    ("momentum without an update rule that uses it", circuit_text(settings="momentum = 0.9"), "settings.momentum"),
    ("unknown schedule", circuit_text(settings='schedule = "cosine"'), "settings.schedule"),
    ("linear schedule without an end", circuit_text(settings='schedule = "linear"'), "settings.step_size_end"),
    ("step_size_end on a step schedule", circuit_text(settings='schedule = "step"\nstep_size_end = 0.1'),
     "settings.step_size_end"),
    ("decay = 0", circuit_text(settings='schedule = "step"\ndecay = 0'), "settings.decay"),
    ("decay_every = 0", circuit_text(settings='schedule = "exponential"\ndecay_every = 0'), "settings.decay_every"),
    ("decay on a constant schedule", circuit_text(settings="decay = 0.5"), "settings.decay"),
]
BAD_IDS = [b[0] for b in BAD]


# --- bad scenario files --------------------------------------------------------------------------

# (category, case, file content (str or bytes), the key the message must name ("" = the whole file),
#  words the message must hold)
FILES = [
    ("not TOML", "half a key", "title = ", "", "not valid TOML"),
    ("not TOML", "a Python file", "import os\nos.system('true')\n", "", "not valid TOML"),
    ("not TOML", "JSON", '{"title": "t", "kind": "circuit"}', "", "not valid TOML"),
    ("not TOML", "nested 100k deep", "a = " + "[" * 100_000 + "]" * 100_000, "", "nested too deeply"),
    ("empty", "zero bytes", "", "", "empty"),
    ("empty", "only blank lines", "\n \n\t\n", "", "empty"),
    ("empty", "only a comment", "# nothing here\n", "kind", "missing"),
    ("binary", "every byte value", bytes(range(256)) * 4, "", "not a text file"),
    ("binary", "latin-1 text", "title = \"caf\xe9\"\n".encode("latin-1"), "", "not a text file"),
    ("binary", "NUL in TOML", "title = \"t\"\x00\n", "", "not valid TOML"),
    ("missing key", "kind", 'title = "t"\n', "kind", "missing; expected one of circuit, classifier"),
    ("missing key", "circuit.expression", 'title = "t"\nkind = "circuit"\n[circuit]\ninputs = { x = 1.0 }\n',
     "circuit.expression", "missing; expected an expression"),
    ("missing key", "circuit table", 'title = "t"\nkind = "circuit"\n', "circuit", "missing; expected a table"),
    ("missing key", "model.type", 'title = "t"\nkind = "classifier"\n[model]\n[data]\ndataset = "xor"\n',
     "model.type", "missing"),
    ("missing key", "data table", 'title = "t"\nkind = "classifier"\n[model]\ntype = "svm"\n', "data", "missing"),
    ("wrong type", "title is a list", 'title = ["t"]\nkind = "circuit"\n', "title", "expected a short title, got list"),
    ("wrong type", "kind is a number", 'title = "t"\nkind = 3\n', "kind", "got int 3"),
    ("wrong type", "title is a date", 'title = 1979-05-27\nkind = "circuit"\n', "title", "got date"),
    ("wrong type", "settings is a number", 'title = "t"\nkind = "circuit"\nsettings = 3\n',
     "settings", "expected a table"),
    ("wrong type", "inputs is a string", circuit_text(inputs="").replace("inputs = {  }", 'inputs = "x"'),
     "circuit.inputs", "expected a table"),
    ("wrong type", "steps is a float", circuit_text(top="steps = 2.5"), "steps", "expected a whole number"),
    ("wrong type", "points are not pairs", classifier_text(data="points = [1, 2]\nlabels = [1, -1]"),
     "data.points[0]", "expected a pair"),
    ("unknown name", "kind", 'title = "t"\nkind = "rnn"\n', "kind", "expected one of circuit, classifier"),
    ("unknown name", "gate in the expression", circuit_text(expression="softmax(x) * y"), "circuit.expression",
     "unknown function 'softmax'"),
    ("unknown name", "strategy", circuit_text(top='strategy = "adam"'), "strategy", "expected one of"),
    ("unknown name", "dataset", classifier_text(data='dataset = "mnist"'), "data.dataset", "expected one of"),
    ("unknown name", "loss", classifier_text(model='loss = "log_loss"'), "model.loss", "expected one of"),
    ("non-finite number", "nan step size", circuit_text(settings="step_size = nan"), "settings.step_size",
     "expected a finite number"),
    ("non-finite number", "-inf input", circuit_text(inputs="x = -inf, y = 3.0"), "circuit.inputs.x", "finite"),
    ("non-finite number", "inf h", circuit_text(settings="h = inf"), "settings.h", "finite"),
    ("non-finite number", "nan in a point", classifier_text(data="points = [[1, nan], [3, 4]]\nlabels = [1, -1]"),
     "data.points[0]", "finite"),
    ("non-finite number", "inf in init", classifier_text(model="init = { a = inf }"), "model.init.a", "finite"),
    ("non-finite number", "a noise that overflows the points", classifier_text(data='dataset = "moons"\nnoise = 1e308'),
     "data.noise", "finite"),
    ("non-finite number", "a start that overflows: exp(1000)", circuit_text(expression="exp(x) * y"
                                                                           , inputs="x = 1000.0, y = 1.0"),
     "circuit.inputs", "the start is not finite"),
    ("non-finite number", "a start that divides by zero", circuit_text(expression="x / y", inputs="x = 1.0, y = 0.0"),
     "circuit.inputs", "the start is not finite"),
    ("non-finite number", "log of a negative start", circuit_text(expression="log(x) * y", inputs="x = -1.0, y = 1.0"),
     "circuit.inputs", "the start is not finite"),
    ("non-finite number", "weights so large the cost overflows", classifier_text(model="init = { a = 1e200 }"),
     "model.init", "the start is not finite"),
    ("label", "0", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [1, 0]"), "data.labels[1]",
     "expected +1 or -1"),
    ("label", "2", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [2, -1]"), "data.labels[0]",
     "expected +1 or -1"),
    ("label", "a string", classifier_text(data='points = [[1, 2], [3, 4]]\nlabels = ["+1", -1]'), "data.labels[0]",
     "expected +1 or -1"),
    ("label", "true", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [true, -1]"), "data.labels[0]",
     "expected +1 or -1"),
    ("dataset", "empty", classifier_text(data="points = []\nlabels = []"), "data.points", "at least one point"),
    ("dataset", "one class", classifier_text(data="points = [[1, 2], [3, 4]]\nlabels = [-1, -1]"), "data.labels",
     "both classes"),
    ("dataset", "one point", classifier_text(data="points = [[1, 2]]\nlabels = [1]"), "data.labels", "both classes"),
    ("dataset", "n = 1", classifier_text(data='dataset = "moons"\nn = 1'), "data.n", "expected a whole number"),
    ("dataset", "too many points", classifier_text(data='dataset = "moons"\nn = 1000000'), "data.n", "10000"),
    ("huge file", "over the size limit", 'title = "t"\n' + "#" * (MAX_FILE_BYTES + 10) + "\n", "",
     "expected a scenario of at most"),
    ("settings", "momentum = 1", circuit_text(settings='update = "nesterov"\nmomentum = 1'), "settings.momentum",
     "expected 0 <= momentum < 1, got 1"),
    ("settings", "momentum and plain steps", circuit_text(settings="momentum = 0.5"), "settings.momentum",
     'applies to update = "momentum" or "nesterov" only'),
    ("settings", "decay > 1", circuit_text(settings='schedule = "step"\ndecay = 2'), "settings.decay",
     "expected 0 < decay <= 1, got 2"),
    ("settings", "a linear schedule with nowhere to go", circuit_text(settings='schedule = "linear"'),
     "settings.step_size_end", "missing; the linear schedule needs"),
]
FILE_IDS = [f"{c[0]}: {c[1]}" for c in FILES]


# --- expressions outside the whitelist --------------------------------------------------------------

# (category, text, column of the fault, words of the message)
EXPRESSION_CASES = [
    ("attribute access", "x.__class__ * y", 1, "attribute access"),
    ("attribute access", "x * y.real", 5, "attribute access"),
    ("call to an unknown name", "open('f') * x", 1, "unknown function 'open'"),
    ("call to an unknown name", "x * eval('1')", 5, "unknown function 'eval'"),
    ("call to an unknown name", "x * getattr(x, 'y')", 5, "unknown function 'getattr'"),
    ("call of a call", "sigmoid(x)(y)", 1, "unknown function"),
    ("import", "__import__('os').system('true')", 1, "unknown function \"__import__('os').system\""),
    ("import", "__import__('os')", 1, "unknown function '__import__'"),
    ("import statement", "import os", 1, "syntax error"),
    ("lambda", "(lambda: x)() * y", 1, "unknown function 'lambda: x'"),
    ("lambda", "lambda x: x", 1, "lambda is not allowed"),
    ("comprehension", "[x for x in y]", 1, "a comprehension is not allowed"),
    ("comprehension", "x * sum(i for i in y)", 5, "unknown function 'sum'"),
    ("string", "'x' * 3", 1, "only numbers are allowed"),
    ("string", "x + b'y'", 5, "only numbers are allowed"),
    ("non-constant exponent", "x ** y", 6, "exponent of ** must be a constant"),
    ("non-constant exponent", "x ** (2 * 1)", 7, "exponent of ** must be a constant"),
    ("too deep", "sigmoid(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), 8 * (MAX_DEPTH + 1) + 1,
     "nests deeper"),  # the x, inside MAX_DEPTH + 1 calls
    ("too deep", "-" * 1000 + "x", 62, "nests deeper"),  # the 62nd minus is 61 deep
    ("leading minus (an option to argparse)", "-x.y", 2, "attribute access"),
    ("too long", "x * y " + " " * MAX_LENGTH, 0, "characters long"),
    ("statement", "x = 1", 3, "syntax error"),
    ("two lines", "x *\ny", 0, "one line"),
]
EXPRESSION_IDS = [f"{c[0]}: {c[1][:30]}" for c in EXPRESSION_CASES]


# --- numerical trouble: runs that go non-finite ------------------------------------------------------

# (case, scenario text, the step that goes non-finite, what the message names)
# The strategies make a circuit's output higher; each number below is worked out by hand.
TROUBLE = [
    # x*y at (-2, 3), step 1e300: the pulls are y = 3 and x = -2, so x -> 3e300, y -> -2e300 and the
    # product overflows to -inf at step 1.
    ("step size diverges (circuit)", circuit_text(settings="step_size = 1e300"), 1, "wire 'x * y' has value -inf"),
    # exp(x) from 1, step 100: x = 1 + 100e = 272.8 (exp 1.1e118, finite); step 2 adds 100 * 1.1e118.
    ("exp overflow", circuit_text(expression="exp(x) * 1", inputs="x = 1.0", settings="step_size = 100"), 2,
     "wire 'exp(x)' has value inf"),
    # -log(x) from x = 1: the pull on x is -1/x = -1; step 2 takes x to -1 and log(-1) is nan.
    ("log of a negative number", circuit_text(expression="-log(x)", inputs="x = 1.0", settings="step_size = 2"), 1,
     "wire 'log(x)' has value nan"),
    # -log(x) from x = 1 with step 1 lands exactly on x = 0: log(0) = -inf.
    ("log of zero", circuit_text(expression="-log(x)", inputs="x = 1.0", settings="step_size = 1"), 1,
     "wire 'log(x)' has value -inf"),
    # 1/(x + 2) from x = -1: the pull is -1/(x+2)^2 = -1, step 1 lands on x = -2, and 1/0 = inf.
    ("division by zero", circuit_text(expression="1 / (x + 2)", inputs="x = -1.0", settings="step_size = 1"), 1,
     "wire '1 / (x + 2)' has value inf"),
    # x ** -2 from x = 1: pull -2, step 0.5 lands on x = 0 and 0 ** -2 is inf.
    ("negative power of zero", circuit_text(expression="x ** -2", inputs="x = 1.0", settings="step_size = 0.5"), 1,
     "wire 'x ** (-2)' has value inf"),
    # The SVM on the guide's data with step 1e300: the first step moves a weight by ~1e300 and the
    # cost's spring term (a^2 ...) overflows.
    ("step size diverges (svm)", classifier_text(model="init = { a = 1.0, b = -2.0, c = -1.0 }")
     + "[settings]\nstep_size = 1e300\n", 1, "the cost became inf"),
]
TROUBLE_IDS = [c[0] for c in TROUBLE]


# ---- points files ----------------------------------------------------------------------------------

GOOD_ROWS = "1.2,0.7,1\n-0.3,-0.5,-1\n3.0,0.1,1\n-0.1,-1.0,-1\n-1.0,1.1,-1\n2.1,-3.0,1\n"  # the guide's svm data
HEAD = "x,y,label\n"

# Bad CSV files of points (issue 13), for the CLI and the app alike:
# (why, the file's content, the key the error names ("" for the file as a whole), words the message holds)
BAD_CSV = [
    ("no header", GOOD_ROWS, "line 1", "expected a header row naming the columns x, y and label"),
    ("header after a comment is still line 3", "# mine\n\n1,2,1\n", "line 3", "expected a header row"),
    ("missing column", "x,label\n1,1\n", "line 1", "no column y"),
    ("two missing columns", "label\n1\n", "line 1", "no column x or y"),
    ("unknown column", "x,y,label,weight\n1,2,1,3\n", "line 1, column weight", "unknown column"),
    ("wrong-case column", "X,y,label\n", "line 1, column X", "unknown column; expected only x, y and label"),
    ("duplicate column", "x,y,x,label\n", "line 1, column x", "named twice"),
    ("empty column name", "x,,label\n", "line 1, column 2", "empty column name"),
    ("non-number", HEAD + "1,2,1\n1,abc,-1\n", "line 3, column y", "expected a number, got 'abc'"),
    ("empty cell", HEAD + "1,,1\n", "line 2, column y", "expected a number, got ''"),
    ("underscore number", HEAD + "1_000,2,1\n", "line 2, column x", "expected a number"),
    ("nan", HEAD + "nan,2,1\n", "line 2, column x", "expected a finite number, got nan"),
    ("inf", HEAD + "1,-inf,1\n", "line 2, column y", "expected a finite number, got -inf"),
    ("overflow", HEAD + "1e999,2,1\n", "line 2, column x", "expected a finite number, got 1e999"),
    ("label 0", HEAD + "1,2,1\n\n3,4,0\n", "line 4, column label", "for a 0/1 column, write 0 as -1"),
    ("label 2", HEAD + "1,2,2\n", "line 2, column label", "expected +1 or -1, got 2"),
    ("label word", HEAD + "1,2,yes\n", "line 2, column label", "expected +1 or -1, got 'yes'"),
    ("too few values", HEAD + "1,2,1\n3,4\n", "line 3", "expected 3 values (x,y,label), got 2"),
    ("too many values", HEAD + "1,2,1,9\n", "line 2", "expected 3 values"),
    ("one class", HEAD + "1,2,1\n3,4,+1\n", "column label", "every point is +1; expected both classes"),
    ("no rows", HEAD + "# nothing yet\n\n", "", "no rows after the header"),
    ("empty file", "", "", "no header row"),
    ("comments only", "# x,y,label\n", "", "no header row"),
    ("not UTF-8", (HEAD + "1,2,1\n").encode() + b"\xff\xfe,1,-1\n", "line 3", "not UTF-8 text (byte 0xff)"),
    ("UTF-16", (HEAD + GOOD_ROWS).encode("utf-16"), "line 1", "not UTF-8 text"),
]
BAD_CSV_IDS = [b[0] for b in BAD_CSV]
