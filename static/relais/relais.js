// Adds one more attached person to a Django formset from its <template>.
document.addEventListener("click", function (event) {
  var button = event.target.closest("#ajouter-membre");
  if (!button) return;
  var prefix = button.dataset.prefix;
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var index = parseInt(total.value, 10);
  var html = document.getElementById("modele-membre").innerHTML.replace(/__prefix__/g, index);
  document.getElementById("membres").insertAdjacentHTML("beforeend", html);
  total.value = index + 1;
  var first = document.getElementById("membres").lastElementChild.querySelector("select, input");
  if (first) first.focus();
});
